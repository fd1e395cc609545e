"""Files shipped with the application (fonts with their licences, icons).

Read with importlib.resources, never by path relative to the working directory.
"""
