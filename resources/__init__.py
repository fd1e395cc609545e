"""Files shipped with the application (fonts with their licences, icons), read with importlib.resources."""
