"""Frozen DDL of migration m001 (the first released schema). NEVER EDIT THIS FILE.

It was generated once from the registry with ``python -m storage.schema`` (plus the fixed
settings and audit tables) and is executed verbatim by ``storage.migrations.m001_initial``.
A later registry change gets a new migration (see ``storage.schema.missing_columns``); editing
this text would make databases created before and after the edit differ silently.
"""

SQL = r"""
CREATE TABLE "patients" (
    "id" INTEGER PRIMARY KEY,
    "study_id" TEXT NOT NULL CHECK (length("study_id") BETWEEN 1 AND 32 AND "study_id" NOT GLOB '*[^A-Za-z0-9_-]*'),
    "sex" TEXT CHECK ("sex" IN ('female', 'male')),
    "diagnosis_date" TEXT CHECK (date("diagnosis_date") IS "diagnosis_date"),
    "autoantibody" TEXT CHECK ("autoantibody" IN ('TIF1g', 'NXP2', 'MDA5', 'Mi-2', 'SAE', 'SRP', 'HMGCR', 'Jo-1', 'other', 'negative', 'unknown')),
    "given_name" TEXT CHECK (length("given_name") <= 100),
    "family_name" TEXT CHECK (length("family_name") <= 100),
    "mrn" TEXT CHECK (length("mrn") <= 40),
    "birth_date" TEXT CHECK (date("birth_date") IS "birth_date"),
    UNIQUE ("study_id")
) STRICT;

CREATE TABLE "visits" (
    "id" INTEGER PRIMARY KEY,
    "patient_id" INTEGER NOT NULL REFERENCES "patients"("id"),
    "visit_date" TEXT NOT NULL CHECK (date("visit_date") IS "visit_date"),
    "visit_label" TEXT CHECK (length("visit_label") BETWEEN 1 AND 16 AND "visit_label" NOT GLOB '*[^A-Za-z0-9_-]*'),
    "baseline" INTEGER NOT NULL DEFAULT 0 CHECK ("baseline" IN (0, 1)),
    "notes" TEXT NOT NULL DEFAULT '',
    UNIQUE ("patient_id", "visit_date")
) STRICT;

CREATE UNIQUE INDEX "visits_one_baseline" ON "visits"("patient_id") WHERE "baseline" = 1;

CREATE TABLE "values_visit" (
    "visit_id" INTEGER PRIMARY KEY REFERENCES "visits"("id"),
    "weight_kg" REAL CHECK ("weight_kg" >= 1 AND "weight_kg" <= 250),
    "height_cm" REAL CHECK ("height_cm" >= 30 AND "height_cm" <= 230),
    "assessor" TEXT CHECK (length("assessor") <= 100),
    "steroid_mg_day" REAL CHECK ("steroid_mg_day" >= 0 AND "steroid_mg_day" <= 80),
    "ivmp_pulses" INTEGER CHECK ("ivmp_pulses" >= 0 AND "ivmp_pulses" <= 30)
) STRICT;

CREATE TABLE "values_cmas" (
    "visit_id" INTEGER PRIMARY KEY REFERENCES "visits"("id"),
    "cmas_head_elevation" INTEGER CHECK ("cmas_head_elevation" >= 0 AND "cmas_head_elevation" <= 5),
    "cmas_head_elevation_sec" INTEGER CHECK ("cmas_head_elevation_sec" >= 0 AND "cmas_head_elevation_sec" <= 3600),
    "cmas_leg_raise" INTEGER CHECK ("cmas_leg_raise" >= 0 AND "cmas_leg_raise" <= 2),
    "cmas_straight_leg_lift" INTEGER CHECK ("cmas_straight_leg_lift" >= 0 AND "cmas_straight_leg_lift" <= 5),
    "cmas_straight_leg_lift_sec" INTEGER CHECK ("cmas_straight_leg_lift_sec" >= 0 AND "cmas_straight_leg_lift_sec" <= 3600),
    "cmas_supine_to_prone" INTEGER CHECK ("cmas_supine_to_prone" >= 0 AND "cmas_supine_to_prone" <= 3),
    "cmas_situps" INTEGER CHECK ("cmas_situps" >= 0 AND "cmas_situps" <= 6),
    "cmas_supine_to_sit" INTEGER CHECK ("cmas_supine_to_sit" >= 0 AND "cmas_supine_to_sit" <= 3),
    "cmas_arm_raise_straighten" INTEGER CHECK ("cmas_arm_raise_straighten" >= 0 AND "cmas_arm_raise_straighten" <= 3),
    "cmas_arm_raise_duration" INTEGER CHECK ("cmas_arm_raise_duration" >= 0 AND "cmas_arm_raise_duration" <= 4),
    "cmas_arm_raise_duration_sec" INTEGER CHECK ("cmas_arm_raise_duration_sec" >= 0 AND "cmas_arm_raise_duration_sec" <= 3600),
    "cmas_floor_sit" INTEGER CHECK ("cmas_floor_sit" >= 0 AND "cmas_floor_sit" <= 3),
    "cmas_all_fours" INTEGER CHECK ("cmas_all_fours" >= 0 AND "cmas_all_fours" <= 4),
    "cmas_floor_rise" INTEGER CHECK ("cmas_floor_rise" >= 0 AND "cmas_floor_rise" <= 4),
    "cmas_chair_rise" INTEGER CHECK ("cmas_chair_rise" >= 0 AND "cmas_chair_rise" <= 4),
    "cmas_stool_step" INTEGER CHECK ("cmas_stool_step" >= 0 AND "cmas_stool_step" <= 3),
    "cmas_pick_up" INTEGER CHECK ("cmas_pick_up" >= 0 AND "cmas_pick_up" <= 3)
) STRICT;

CREATE TABLE "values_mmt8" (
    "visit_id" INTEGER PRIMARY KEY REFERENCES "visits"("id"),
    "mmt_neck_flexors" INTEGER CHECK ("mmt_neck_flexors" >= 0 AND "mmt_neck_flexors" <= 10),
    "mmt_deltoid_r" INTEGER CHECK ("mmt_deltoid_r" >= 0 AND "mmt_deltoid_r" <= 10),
    "mmt_deltoid_l" INTEGER CHECK ("mmt_deltoid_l" >= 0 AND "mmt_deltoid_l" <= 10),
    "mmt_biceps_r" INTEGER CHECK ("mmt_biceps_r" >= 0 AND "mmt_biceps_r" <= 10),
    "mmt_biceps_l" INTEGER CHECK ("mmt_biceps_l" >= 0 AND "mmt_biceps_l" <= 10),
    "mmt_wrist_extensors_r" INTEGER CHECK ("mmt_wrist_extensors_r" >= 0 AND "mmt_wrist_extensors_r" <= 10),
    "mmt_wrist_extensors_l" INTEGER CHECK ("mmt_wrist_extensors_l" >= 0 AND "mmt_wrist_extensors_l" <= 10),
    "mmt_gluteus_maximus_r" INTEGER CHECK ("mmt_gluteus_maximus_r" >= 0 AND "mmt_gluteus_maximus_r" <= 10),
    "mmt_gluteus_maximus_l" INTEGER CHECK ("mmt_gluteus_maximus_l" >= 0 AND "mmt_gluteus_maximus_l" <= 10),
    "mmt_gluteus_medius_r" INTEGER CHECK ("mmt_gluteus_medius_r" >= 0 AND "mmt_gluteus_medius_r" <= 10),
    "mmt_gluteus_medius_l" INTEGER CHECK ("mmt_gluteus_medius_l" >= 0 AND "mmt_gluteus_medius_l" <= 10),
    "mmt_quadriceps_r" INTEGER CHECK ("mmt_quadriceps_r" >= 0 AND "mmt_quadriceps_r" <= 10),
    "mmt_quadriceps_l" INTEGER CHECK ("mmt_quadriceps_l" >= 0 AND "mmt_quadriceps_l" <= 10),
    "mmt_ankle_dorsiflexors_r" INTEGER CHECK ("mmt_ankle_dorsiflexors_r" >= 0 AND "mmt_ankle_dorsiflexors_r" <= 10),
    "mmt_ankle_dorsiflexors_l" INTEGER CHECK ("mmt_ankle_dorsiflexors_l" >= 0 AND "mmt_ankle_dorsiflexors_l" <= 10)
) STRICT;

CREATE TABLE "values_skin" (
    "visit_id" INTEGER PRIMARY KEY REFERENCES "visits"("id"),
    "skin_heliotrope" TEXT CHECK ("skin_heliotrope" IN ('yes', 'no')),
    "skin_gottron_papules" TEXT CHECK ("skin_gottron_papules" IN ('yes', 'no')),
    "skin_gottron_sign" TEXT CHECK ("skin_gottron_sign" IN ('yes', 'no')),
    "skin_malar" TEXT CHECK ("skin_malar" IN ('yes', 'no')),
    "skin_v_sign" TEXT CHECK ("skin_v_sign" IN ('yes', 'no')),
    "skin_shawl" TEXT CHECK ("skin_shawl" IN ('yes', 'no')),
    "skin_holster" TEXT CHECK ("skin_holster" IN ('yes', 'no')),
    "skin_periungual" TEXT CHECK ("skin_periungual" IN ('yes', 'no')),
    "skin_nailfold_changes" TEXT CHECK ("skin_nailfold_changes" IN ('yes', 'no')),
    "skin_ulceration" TEXT CHECK ("skin_ulceration" IN ('yes', 'no')),
    "skin_calcinosis" TEXT CHECK ("skin_calcinosis" IN ('yes', 'no')),
    "skin_lipodystrophy" TEXT CHECK ("skin_lipodystrophy" IN ('yes', 'no')),
    "skin_mechanics_hands" TEXT CHECK ("skin_mechanics_hands" IN ('yes', 'no')),
    "skin_poikiloderma" TEXT CHECK ("skin_poikiloderma" IN ('yes', 'no')),
    "skin_alopecia" TEXT CHECK ("skin_alopecia" IN ('yes', 'no')),
    "skin_edema" TEXT CHECK ("skin_edema" IN ('yes', 'no')),
    "skin_erythroderma" TEXT CHECK ("skin_erythroderma" IN ('yes', 'no')),
    "skin_panniculitis" TEXT CHECK ("skin_panniculitis" IN ('yes', 'no')),
    "skin_raynaud" TEXT CHECK ("skin_raynaud" IN ('yes', 'no'))
) STRICT;

CREATE TABLE "values_cdasi" (
    "visit_id" INTEGER PRIMARY KEY REFERENCES "visits"("id"),
    "cdasi_scalp_ery" INTEGER CHECK ("cdasi_scalp_ery" >= 0 AND "cdasi_scalp_ery" <= 3),
    "cdasi_scalp_scale" INTEGER CHECK ("cdasi_scalp_scale" >= 0 AND "cdasi_scalp_scale" <= 2),
    "cdasi_scalp_eros" INTEGER CHECK ("cdasi_scalp_eros" >= 0 AND "cdasi_scalp_eros" <= 1),
    "cdasi_scalp_poik" INTEGER CHECK ("cdasi_scalp_poik" >= 0 AND "cdasi_scalp_poik" <= 1),
    "cdasi_scalp_calc" INTEGER CHECK ("cdasi_scalp_calc" >= 0 AND "cdasi_scalp_calc" <= 1),
    "cdasi_malar_ery" INTEGER CHECK ("cdasi_malar_ery" >= 0 AND "cdasi_malar_ery" <= 3),
    "cdasi_malar_scale" INTEGER CHECK ("cdasi_malar_scale" >= 0 AND "cdasi_malar_scale" <= 2),
    "cdasi_malar_eros" INTEGER CHECK ("cdasi_malar_eros" >= 0 AND "cdasi_malar_eros" <= 1),
    "cdasi_malar_poik" INTEGER CHECK ("cdasi_malar_poik" >= 0 AND "cdasi_malar_poik" <= 1),
    "cdasi_malar_calc" INTEGER CHECK ("cdasi_malar_calc" >= 0 AND "cdasi_malar_calc" <= 1),
    "cdasi_periorbital_ery" INTEGER CHECK ("cdasi_periorbital_ery" >= 0 AND "cdasi_periorbital_ery" <= 3),
    "cdasi_periorbital_scale" INTEGER CHECK ("cdasi_periorbital_scale" >= 0 AND "cdasi_periorbital_scale" <= 2),
    "cdasi_periorbital_eros" INTEGER CHECK ("cdasi_periorbital_eros" >= 0 AND "cdasi_periorbital_eros" <= 1),
    "cdasi_periorbital_poik" INTEGER CHECK ("cdasi_periorbital_poik" >= 0 AND "cdasi_periorbital_poik" <= 1),
    "cdasi_periorbital_calc" INTEGER CHECK ("cdasi_periorbital_calc" >= 0 AND "cdasi_periorbital_calc" <= 1),
    "cdasi_face_ery" INTEGER CHECK ("cdasi_face_ery" >= 0 AND "cdasi_face_ery" <= 3),
    "cdasi_face_scale" INTEGER CHECK ("cdasi_face_scale" >= 0 AND "cdasi_face_scale" <= 2),
    "cdasi_face_eros" INTEGER CHECK ("cdasi_face_eros" >= 0 AND "cdasi_face_eros" <= 1),
    "cdasi_face_poik" INTEGER CHECK ("cdasi_face_poik" >= 0 AND "cdasi_face_poik" <= 1),
    "cdasi_face_calc" INTEGER CHECK ("cdasi_face_calc" >= 0 AND "cdasi_face_calc" <= 1),
    "cdasi_v_neck_ery" INTEGER CHECK ("cdasi_v_neck_ery" >= 0 AND "cdasi_v_neck_ery" <= 3),
    "cdasi_v_neck_scale" INTEGER CHECK ("cdasi_v_neck_scale" >= 0 AND "cdasi_v_neck_scale" <= 2),
    "cdasi_v_neck_eros" INTEGER CHECK ("cdasi_v_neck_eros" >= 0 AND "cdasi_v_neck_eros" <= 1),
    "cdasi_v_neck_poik" INTEGER CHECK ("cdasi_v_neck_poik" >= 0 AND "cdasi_v_neck_poik" <= 1),
    "cdasi_v_neck_calc" INTEGER CHECK ("cdasi_v_neck_calc" >= 0 AND "cdasi_v_neck_calc" <= 1),
    "cdasi_post_neck_ery" INTEGER CHECK ("cdasi_post_neck_ery" >= 0 AND "cdasi_post_neck_ery" <= 3),
    "cdasi_post_neck_scale" INTEGER CHECK ("cdasi_post_neck_scale" >= 0 AND "cdasi_post_neck_scale" <= 2),
    "cdasi_post_neck_eros" INTEGER CHECK ("cdasi_post_neck_eros" >= 0 AND "cdasi_post_neck_eros" <= 1),
    "cdasi_post_neck_poik" INTEGER CHECK ("cdasi_post_neck_poik" >= 0 AND "cdasi_post_neck_poik" <= 1),
    "cdasi_post_neck_calc" INTEGER CHECK ("cdasi_post_neck_calc" >= 0 AND "cdasi_post_neck_calc" <= 1),
    "cdasi_upper_back_ery" INTEGER CHECK ("cdasi_upper_back_ery" >= 0 AND "cdasi_upper_back_ery" <= 3),
    "cdasi_upper_back_scale" INTEGER CHECK ("cdasi_upper_back_scale" >= 0 AND "cdasi_upper_back_scale" <= 2),
    "cdasi_upper_back_eros" INTEGER CHECK ("cdasi_upper_back_eros" >= 0 AND "cdasi_upper_back_eros" <= 1),
    "cdasi_upper_back_poik" INTEGER CHECK ("cdasi_upper_back_poik" >= 0 AND "cdasi_upper_back_poik" <= 1),
    "cdasi_upper_back_calc" INTEGER CHECK ("cdasi_upper_back_calc" >= 0 AND "cdasi_upper_back_calc" <= 1),
    "cdasi_back_buttocks_ery" INTEGER CHECK ("cdasi_back_buttocks_ery" >= 0 AND "cdasi_back_buttocks_ery" <= 3),
    "cdasi_back_buttocks_scale" INTEGER CHECK ("cdasi_back_buttocks_scale" >= 0 AND "cdasi_back_buttocks_scale" <= 2),
    "cdasi_back_buttocks_eros" INTEGER CHECK ("cdasi_back_buttocks_eros" >= 0 AND "cdasi_back_buttocks_eros" <= 1),
    "cdasi_back_buttocks_poik" INTEGER CHECK ("cdasi_back_buttocks_poik" >= 0 AND "cdasi_back_buttocks_poik" <= 1),
    "cdasi_back_buttocks_calc" INTEGER CHECK ("cdasi_back_buttocks_calc" >= 0 AND "cdasi_back_buttocks_calc" <= 1),
    "cdasi_abdomen_ery" INTEGER CHECK ("cdasi_abdomen_ery" >= 0 AND "cdasi_abdomen_ery" <= 3),
    "cdasi_abdomen_scale" INTEGER CHECK ("cdasi_abdomen_scale" >= 0 AND "cdasi_abdomen_scale" <= 2),
    "cdasi_abdomen_eros" INTEGER CHECK ("cdasi_abdomen_eros" >= 0 AND "cdasi_abdomen_eros" <= 1),
    "cdasi_abdomen_poik" INTEGER CHECK ("cdasi_abdomen_poik" >= 0 AND "cdasi_abdomen_poik" <= 1),
    "cdasi_abdomen_calc" INTEGER CHECK ("cdasi_abdomen_calc" >= 0 AND "cdasi_abdomen_calc" <= 1),
    "cdasi_lat_thigh_ery" INTEGER CHECK ("cdasi_lat_thigh_ery" >= 0 AND "cdasi_lat_thigh_ery" <= 3),
    "cdasi_lat_thigh_scale" INTEGER CHECK ("cdasi_lat_thigh_scale" >= 0 AND "cdasi_lat_thigh_scale" <= 2),
    "cdasi_lat_thigh_eros" INTEGER CHECK ("cdasi_lat_thigh_eros" >= 0 AND "cdasi_lat_thigh_eros" <= 1),
    "cdasi_lat_thigh_poik" INTEGER CHECK ("cdasi_lat_thigh_poik" >= 0 AND "cdasi_lat_thigh_poik" <= 1),
    "cdasi_lat_thigh_calc" INTEGER CHECK ("cdasi_lat_thigh_calc" >= 0 AND "cdasi_lat_thigh_calc" <= 1),
    "cdasi_leg_feet_ery" INTEGER CHECK ("cdasi_leg_feet_ery" >= 0 AND "cdasi_leg_feet_ery" <= 3),
    "cdasi_leg_feet_scale" INTEGER CHECK ("cdasi_leg_feet_scale" >= 0 AND "cdasi_leg_feet_scale" <= 2),
    "cdasi_leg_feet_eros" INTEGER CHECK ("cdasi_leg_feet_eros" >= 0 AND "cdasi_leg_feet_eros" <= 1),
    "cdasi_leg_feet_poik" INTEGER CHECK ("cdasi_leg_feet_poik" >= 0 AND "cdasi_leg_feet_poik" <= 1),
    "cdasi_leg_feet_calc" INTEGER CHECK ("cdasi_leg_feet_calc" >= 0 AND "cdasi_leg_feet_calc" <= 1),
    "cdasi_arm_ery" INTEGER CHECK ("cdasi_arm_ery" >= 0 AND "cdasi_arm_ery" <= 3),
    "cdasi_arm_scale" INTEGER CHECK ("cdasi_arm_scale" >= 0 AND "cdasi_arm_scale" <= 2),
    "cdasi_arm_eros" INTEGER CHECK ("cdasi_arm_eros" >= 0 AND "cdasi_arm_eros" <= 1),
    "cdasi_arm_poik" INTEGER CHECK ("cdasi_arm_poik" >= 0 AND "cdasi_arm_poik" <= 1),
    "cdasi_arm_calc" INTEGER CHECK ("cdasi_arm_calc" >= 0 AND "cdasi_arm_calc" <= 1),
    "cdasi_mechanics_hand_ery" INTEGER CHECK ("cdasi_mechanics_hand_ery" >= 0 AND "cdasi_mechanics_hand_ery" <= 3),
    "cdasi_mechanics_hand_scale" INTEGER CHECK ("cdasi_mechanics_hand_scale" >= 0 AND "cdasi_mechanics_hand_scale" <= 2),
    "cdasi_mechanics_hand_eros" INTEGER CHECK ("cdasi_mechanics_hand_eros" >= 0 AND "cdasi_mechanics_hand_eros" <= 1),
    "cdasi_mechanics_hand_poik" INTEGER CHECK ("cdasi_mechanics_hand_poik" >= 0 AND "cdasi_mechanics_hand_poik" <= 1),
    "cdasi_mechanics_hand_calc" INTEGER CHECK ("cdasi_mechanics_hand_calc" >= 0 AND "cdasi_mechanics_hand_calc" <= 1),
    "cdasi_dorsal_hand_ery" INTEGER CHECK ("cdasi_dorsal_hand_ery" >= 0 AND "cdasi_dorsal_hand_ery" <= 3),
    "cdasi_dorsal_hand_scale" INTEGER CHECK ("cdasi_dorsal_hand_scale" >= 0 AND "cdasi_dorsal_hand_scale" <= 2),
    "cdasi_dorsal_hand_eros" INTEGER CHECK ("cdasi_dorsal_hand_eros" >= 0 AND "cdasi_dorsal_hand_eros" <= 1),
    "cdasi_dorsal_hand_poik" INTEGER CHECK ("cdasi_dorsal_hand_poik" >= 0 AND "cdasi_dorsal_hand_poik" <= 1),
    "cdasi_dorsal_hand_calc" INTEGER CHECK ("cdasi_dorsal_hand_calc" >= 0 AND "cdasi_dorsal_hand_calc" <= 1),
    "cdasi_gottron_other_ery" INTEGER CHECK ("cdasi_gottron_other_ery" >= 0 AND "cdasi_gottron_other_ery" <= 3),
    "cdasi_gottron_other_scale" INTEGER CHECK ("cdasi_gottron_other_scale" >= 0 AND "cdasi_gottron_other_scale" <= 2),
    "cdasi_gottron_other_eros" INTEGER CHECK ("cdasi_gottron_other_eros" >= 0 AND "cdasi_gottron_other_eros" <= 1),
    "cdasi_gottron_other_poik" INTEGER CHECK ("cdasi_gottron_other_poik" >= 0 AND "cdasi_gottron_other_poik" <= 1),
    "cdasi_gottron_other_calc" INTEGER CHECK ("cdasi_gottron_other_calc" >= 0 AND "cdasi_gottron_other_calc" <= 1),
    "cdasi_gottron_hand_ery" INTEGER CHECK ("cdasi_gottron_hand_ery" >= 0 AND "cdasi_gottron_hand_ery" <= 3),
    "cdasi_gottron_hand_papules" INTEGER CHECK ("cdasi_gottron_hand_papules" IN (0, 1)),
    "cdasi_gottron_hand_ulc" INTEGER CHECK ("cdasi_gottron_hand_ulc" >= 0 AND "cdasi_gottron_hand_ulc" <= 1),
    "cdasi_gottron_hand_damage" INTEGER CHECK ("cdasi_gottron_hand_damage" >= 0 AND "cdasi_gottron_hand_damage" <= 2),
    "cdasi_periungual" INTEGER CHECK ("cdasi_periungual" >= 0 AND "cdasi_periungual" <= 2),
    "cdasi_alopecia" INTEGER CHECK ("cdasi_alopecia" >= 0 AND "cdasi_alopecia" <= 1)
) STRICT;

CREATE TABLE "values_global" (
    "visit_id" INTEGER PRIMARY KEY REFERENCES "visits"("id"),
    "phys_global" REAL CHECK ("phys_global" >= 0 AND "phys_global" <= 10),
    "parent_global" REAL CHECK ("parent_global" >= 0 AND "parent_global" <= 10),
    "extramuscular_global" REAL CHECK ("extramuscular_global" >= 0 AND "extramuscular_global" <= 10),
    "das_skin" INTEGER CHECK ("das_skin" >= 0 AND "das_skin" <= 9),
    "das_muscle" INTEGER CHECK ("das_muscle" >= 0 AND "das_muscle" <= 11),
    "chq_phs" REAL CHECK ("chq_phs" >= 0 AND "chq_phs" <= 100)
) STRICT;

CREATE TABLE "values_chaq" (
    "visit_id" INTEGER PRIMARY KEY REFERENCES "visits"("id"),
    "chaq_dress" ANY CHECK ("chaq_dress" = 'na' OR (typeof("chaq_dress") = 'integer' AND "chaq_dress" >= 0 AND "chaq_dress" <= 3)),
    "chaq_shampoo" ANY CHECK ("chaq_shampoo" = 'na' OR (typeof("chaq_shampoo") = 'integer' AND "chaq_shampoo" >= 0 AND "chaq_shampoo" <= 3)),
    "chaq_socks" ANY CHECK ("chaq_socks" = 'na' OR (typeof("chaq_socks") = 'integer' AND "chaq_socks" >= 0 AND "chaq_socks" <= 3)),
    "chaq_nails" ANY CHECK ("chaq_nails" = 'na' OR (typeof("chaq_nails") = 'integer' AND "chaq_nails" >= 0 AND "chaq_nails" <= 3)),
    "chaq_stand_chair" ANY CHECK ("chaq_stand_chair" = 'na' OR (typeof("chaq_stand_chair") = 'integer' AND "chaq_stand_chair" >= 0 AND "chaq_stand_chair" <= 3)),
    "chaq_bed" ANY CHECK ("chaq_bed" = 'na' OR (typeof("chaq_bed") = 'integer' AND "chaq_bed" >= 0 AND "chaq_bed" <= 3)),
    "chaq_cut_meat" ANY CHECK ("chaq_cut_meat" = 'na' OR (typeof("chaq_cut_meat") = 'integer' AND "chaq_cut_meat" >= 0 AND "chaq_cut_meat" <= 3)),
    "chaq_cup" ANY CHECK ("chaq_cup" = 'na' OR (typeof("chaq_cup") = 'integer' AND "chaq_cup" >= 0 AND "chaq_cup" <= 3)),
    "chaq_cereal_box" ANY CHECK ("chaq_cereal_box" = 'na' OR (typeof("chaq_cereal_box") = 'integer' AND "chaq_cereal_box" >= 0 AND "chaq_cereal_box" <= 3)),
    "chaq_walk" ANY CHECK ("chaq_walk" = 'na' OR (typeof("chaq_walk") = 'integer' AND "chaq_walk" >= 0 AND "chaq_walk" <= 3)),
    "chaq_steps" ANY CHECK ("chaq_steps" = 'na' OR (typeof("chaq_steps") = 'integer' AND "chaq_steps" >= 0 AND "chaq_steps" <= 3)),
    "chaq_wash" ANY CHECK ("chaq_wash" = 'na' OR (typeof("chaq_wash") = 'integer' AND "chaq_wash" >= 0 AND "chaq_wash" <= 3)),
    "chaq_tub" ANY CHECK ("chaq_tub" = 'na' OR (typeof("chaq_tub") = 'integer' AND "chaq_tub" >= 0 AND "chaq_tub" <= 3)),
    "chaq_toilet" ANY CHECK ("chaq_toilet" = 'na' OR (typeof("chaq_toilet") = 'integer' AND "chaq_toilet" >= 0 AND "chaq_toilet" <= 3)),
    "chaq_teeth" ANY CHECK ("chaq_teeth" = 'na' OR (typeof("chaq_teeth") = 'integer' AND "chaq_teeth" >= 0 AND "chaq_teeth" <= 3)),
    "chaq_comb" ANY CHECK ("chaq_comb" = 'na' OR (typeof("chaq_comb") = 'integer' AND "chaq_comb" >= 0 AND "chaq_comb" <= 3)),
    "chaq_reach_object" ANY CHECK ("chaq_reach_object" = 'na' OR (typeof("chaq_reach_object") = 'integer' AND "chaq_reach_object" >= 0 AND "chaq_reach_object" <= 3)),
    "chaq_bend_floor" ANY CHECK ("chaq_bend_floor" = 'na' OR (typeof("chaq_bend_floor") = 'integer' AND "chaq_bend_floor" >= 0 AND "chaq_bend_floor" <= 3)),
    "chaq_sweater" ANY CHECK ("chaq_sweater" = 'na' OR (typeof("chaq_sweater") = 'integer' AND "chaq_sweater" >= 0 AND "chaq_sweater" <= 3)),
    "chaq_turn_neck" ANY CHECK ("chaq_turn_neck" = 'na' OR (typeof("chaq_turn_neck") = 'integer' AND "chaq_turn_neck" >= 0 AND "chaq_turn_neck" <= 3)),
    "chaq_write" ANY CHECK ("chaq_write" = 'na' OR (typeof("chaq_write") = 'integer' AND "chaq_write" >= 0 AND "chaq_write" <= 3)),
    "chaq_car_door" ANY CHECK ("chaq_car_door" = 'na' OR (typeof("chaq_car_door") = 'integer' AND "chaq_car_door" >= 0 AND "chaq_car_door" <= 3)),
    "chaq_jar" ANY CHECK ("chaq_jar" = 'na' OR (typeof("chaq_jar") = 'integer' AND "chaq_jar" >= 0 AND "chaq_jar" <= 3)),
    "chaq_taps" ANY CHECK ("chaq_taps" = 'na' OR (typeof("chaq_taps") = 'integer' AND "chaq_taps" >= 0 AND "chaq_taps" <= 3)),
    "chaq_door_knob" ANY CHECK ("chaq_door_knob" = 'na' OR (typeof("chaq_door_knob") = 'integer' AND "chaq_door_knob" >= 0 AND "chaq_door_knob" <= 3)),
    "chaq_errands" ANY CHECK ("chaq_errands" = 'na' OR (typeof("chaq_errands") = 'integer' AND "chaq_errands" >= 0 AND "chaq_errands" <= 3)),
    "chaq_car" ANY CHECK ("chaq_car" = 'na' OR (typeof("chaq_car") = 'integer' AND "chaq_car" >= 0 AND "chaq_car" <= 3)),
    "chaq_bike" ANY CHECK ("chaq_bike" = 'na' OR (typeof("chaq_bike") = 'integer' AND "chaq_bike" >= 0 AND "chaq_bike" <= 3)),
    "chaq_chores" ANY CHECK ("chaq_chores" = 'na' OR (typeof("chaq_chores") = 'integer' AND "chaq_chores" >= 0 AND "chaq_chores" <= 3)),
    "chaq_play" ANY CHECK ("chaq_play" = 'na' OR (typeof("chaq_play") = 'integer' AND "chaq_play" >= 0 AND "chaq_play" <= 3)),
    "chaq_aid_dressing" INTEGER CHECK ("chaq_aid_dressing" IN (0, 1)),
    "chaq_help_dressing" INTEGER CHECK ("chaq_help_dressing" IN (0, 1)),
    "chaq_aid_arising" INTEGER CHECK ("chaq_aid_arising" IN (0, 1)),
    "chaq_help_arising" INTEGER CHECK ("chaq_help_arising" IN (0, 1)),
    "chaq_aid_eating" INTEGER CHECK ("chaq_aid_eating" IN (0, 1)),
    "chaq_help_eating" INTEGER CHECK ("chaq_help_eating" IN (0, 1)),
    "chaq_aid_walking" INTEGER CHECK ("chaq_aid_walking" IN (0, 1)),
    "chaq_help_walking" INTEGER CHECK ("chaq_help_walking" IN (0, 1)),
    "chaq_aid_hygiene" INTEGER CHECK ("chaq_aid_hygiene" IN (0, 1)),
    "chaq_help_hygiene" INTEGER CHECK ("chaq_help_hygiene" IN (0, 1)),
    "chaq_aid_reach" INTEGER CHECK ("chaq_aid_reach" IN (0, 1)),
    "chaq_help_reach" INTEGER CHECK ("chaq_help_reach" IN (0, 1)),
    "chaq_aid_grip" INTEGER CHECK ("chaq_aid_grip" IN (0, 1)),
    "chaq_help_grip" INTEGER CHECK ("chaq_help_grip" IN (0, 1)),
    "chaq_aid_activities" INTEGER CHECK ("chaq_aid_activities" IN (0, 1)),
    "chaq_help_activities" INTEGER CHECK ("chaq_help_activities" IN (0, 1)),
    "chaq_pain" REAL CHECK ("chaq_pain" >= 0 AND "chaq_pain" <= 10),
    "chaq_wellbeing" REAL CHECK ("chaq_wellbeing" >= 0 AND "chaq_wellbeing" <= 10)
) STRICT;

CREATE TABLE "values_labs" (
    "visit_id" INTEGER PRIMARY KEY REFERENCES "visits"("id"),
    "ck" REAL CHECK ("ck" >= 0 AND "ck" <= 200000),
    "ck_uln" REAL CHECK ("ck_uln" >= 10 AND "ck_uln" <= 2000),
    "aldolase" REAL CHECK ("aldolase" >= 0 AND "aldolase" <= 500),
    "aldolase_uln" REAL CHECK ("aldolase_uln" >= 1 AND "aldolase_uln" <= 50),
    "ldh" REAL CHECK ("ldh" >= 0 AND "ldh" <= 20000),
    "ldh_uln" REAL CHECK ("ldh_uln" >= 50 AND "ldh_uln" <= 2000),
    "ast" REAL CHECK ("ast" >= 0 AND "ast" <= 20000),
    "ast_uln" REAL CHECK ("ast_uln" >= 5 AND "ast_uln" <= 500),
    "alt" REAL CHECK ("alt" >= 0 AND "alt" <= 20000),
    "alt_uln" REAL CHECK ("alt_uln" >= 5 AND "alt_uln" <= 500),
    "esr" REAL CHECK ("esr" >= 0 AND "esr" <= 150),
    "crp" REAL CHECK ("crp" >= 0 AND "crp" <= 500),
    "ferritin" REAL CHECK ("ferritin" >= 0 AND "ferritin" <= 100000),
    "lymphocytes" REAL CHECK ("lymphocytes" >= 0 AND "lymphocytes" <= 50),
    "igg" REAL CHECK ("igg" >= 0 AND "igg" <= 60),
    "ifn_score" REAL CHECK ("ifn_score" >= 0 AND "ifn_score" <= 100000),
    "mri_muscle_edema" TEXT CHECK ("mri_muscle_edema" IN ('yes', 'no'))
) STRICT;

CREATE TABLE "visit_missing" (
    "visit_id" INTEGER NOT NULL REFERENCES "visits"("id"),
    "field" TEXT NOT NULL,
    "reason" TEXT NOT NULL CHECK ("reason" IN ('not_done', 'not_assessable', 'unknown')),
    PRIMARY KEY ("visit_id", "field")
) STRICT, WITHOUT ROWID;

CREATE TABLE "medications" (
    "id" INTEGER PRIMARY KEY,
    "patient_id" INTEGER NOT NULL REFERENCES "patients"("id"),
    "drug" TEXT NOT NULL CHECK (length("drug") <= 100),
    "dose" REAL CHECK ("dose" >= 0 AND "dose" <= 100000),
    "dose_unit" TEXT CHECK ("dose_unit" IN ('mg', 'g', 'ug', 'mg/kg', 'mg/m2', 'g/kg', 'IU', 'mL')),
    "frequency_per_day" REAL CHECK ("frequency_per_day" >= 0 AND "frequency_per_day" <= 24),
    "route" TEXT CHECK ("route" IN ('oral', 'iv', 'sc', 'im', 'topical', 'other')),
    "start_date" TEXT NOT NULL CHECK (date("start_date") IS "start_date"),
    "stop_date" TEXT CHECK (date("stop_date") IS "stop_date"),
    "notes" TEXT CHECK (length("notes") <= 2000)
) STRICT;

CREATE INDEX "medications_patient" ON "medications"("patient_id");

CREATE TABLE "adverse_events" (
    "id" INTEGER PRIMARY KEY,
    "patient_id" INTEGER NOT NULL REFERENCES "patients"("id"),
    "onset_date" TEXT NOT NULL CHECK (date("onset_date") IS "onset_date"),
    "term" TEXT NOT NULL CHECK (length("term") <= 200),
    "grade" INTEGER CHECK ("grade" >= 1 AND "grade" <= 5),
    "serious" INTEGER CHECK ("serious" IN (0, 1)),
    "related_drug" TEXT CHECK (length("related_drug") <= 100),
    "action" TEXT CHECK ("action" IN ('none', 'dose_reduced', 'interrupted', 'withdrawn', 'other')),
    "outcome" TEXT CHECK ("outcome" IN ('resolved', 'resolving', 'ongoing', 'sequelae', 'fatal', 'unknown')),
    "resolution_date" TEXT CHECK (date("resolution_date") IS "resolution_date")
) STRICT;

CREATE INDEX "adverse_events_patient" ON "adverse_events"("patient_id");

CREATE TABLE "settings" (
    "key" TEXT PRIMARY KEY,
    "value" TEXT NOT NULL
) STRICT;

CREATE TABLE "audit" (
    "id" INTEGER PRIMARY KEY,
    "at" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL CHECK ("action" IN ('insert', 'update', 'delete')),
    "table_name" TEXT NOT NULL,
    "record_id" INTEGER NOT NULL,
    "context" TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX "audit_record" ON "audit"("table_name", "record_id");

CREATE TABLE "audit_changes" (
    "audit_id" INTEGER NOT NULL REFERENCES "audit"("id"),
    "field" TEXT NOT NULL,
    "old" TEXT,
    "new" TEXT,
    PRIMARY KEY ("audit_id", "field")
) STRICT, WITHOUT ROWID;

CREATE TRIGGER "audit_append_only_update" BEFORE UPDATE ON "audit"
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TRIGGER "audit_append_only_delete" BEFORE DELETE ON "audit"
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TRIGGER "audit_changes_append_only_update" BEFORE UPDATE ON "audit_changes"
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE TRIGGER "audit_changes_append_only_delete" BEFORE DELETE ON "audit_changes"
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

CREATE VIEW "audit_log" AS
SELECT a."id" AS "audit_id", a."at", a."actor", a."action", a."table_name", a."record_id",
       a."context", c."field", c."old", c."new"
FROM "audit" a LEFT JOIN "audit_changes" c ON c."audit_id" = a."id";
"""
