"""Short free texts for the dataset: case narratives, notes, goals, reasons. Written to be
plausible in length and tone, never graphic; ``{place}`` is the child's commune."""

from __future__ import annotations

SUMMARIES: dict[str, str] = {
    "neglect": "Child often left alone for days in {place}; caregiver works away and the "
    "neighbours bring food. Not attending school since the start of the year.",
    "physical_abuse": "Teacher in {place} reported bruises on the child's arms; the child says "
    "a relative hits them when drunk.",
    "sexual_abuse": "Disclosure to a school counsellor in {place}; the alleged perpetrator is "
    "known to the family. Police informed.",
    "child_labour": "Child found working long hours during a labour inspection near {place}; "
    "the family owes a debt to the employer.",
    "domestic_violence": "Repeated violence between the parents in {place}; the child is "
    "afraid to go home and sleeps at a neighbour's.",
    "left_behind": "Both parents migrated to Thailand for work; the child lives with an elderly "
    "grandmother in {place} who cannot cope.",
    "out_of_school": "Child dropped out of grade 5 in {place} to help the family; school "
    "reports three months of absence.",
    "street_connected": "Child selling goods on the street near the market of {place} late at "
    "night, sometimes sleeping there.",
    "labour_trafficking": "Child recruited with a promise of restaurant work, taken across the "
    "border and made to work without pay; returned through {place}.",
    "sex_trafficking": "Child deceived by a broker about a job and held in an entertainment "
    "venue; rescued in a police operation and brought to {place}.",
    "emotional_abuse": "Child constantly threatened and humiliated at home in {place}; "
    "withdrawn at school.",
    "unaccompanied_separated": "Child found alone at the transit point near {place}, separated "
    "from the family during migration.",
    "migrating_child": "Child travelling to find work across the border, stopped near {place}.",
    "no_birth_registration": "Child has no birth certificate; the family in {place} could not "
    "register the birth.",
    "online_sexual_exploitation": "Images of the child shared online by an adult met through a "
    "social network; reported by the helpline. Family lives in {place}.",
    "commercial_sexual_exploitation": "Child exploited for money by an adult from {place}; "
    "identified by an outreach worker.",
    "conflict_with_law": "Child arrested for petty theft in {place}; diversion requested by "
    "the prosecutor.",
    "victim_witness": "Child is a witness in a court case in {place} and needs support "
    "during the hearings.",
    "child_marriage": "Family in {place} arranging the marriage of the child to an adult.",
    "forced_marriage": "Child taken abroad for a marriage arranged by a broker; returned "
    "through {place}.",
    "residential_care": "Child placed in a residential care facility although a parent lives "
    "in {place}; assessment for family-based care.",
    "sexual_exploitation_travel_tourism": "Child approached by a foreign visitor near "
    "{place}; reported by a guesthouse.",
    "other": "Concern reported by the community in {place}; to be assessed.",
}
NOTE_TEXTS = (
    "Visited the family at home; the child was present and spoke with us.",
    "Phone call with the caregiver about school attendance.",
    "Met the school director about the child's return to class.",
    "Case conference with the shelter staff and the police officer.",
    "Caregiver came to the office; discussed the family's income support.",
    "Accompanied the child to the hearing at the provincial court.",
    "The child says things are better at home; no new incident.",
)
GOALS = (
    "The child is safe at home and protected from further harm.",
    "The child attends school regularly.",
    "The family has a stable income without the child working.",
    "The child receives counselling and medical care.",
    "The child returns to a family able to care for them.",
)
ACTIONS = (
    "Refer the family to livelihood support.",
    "Enrol the child in the nearest school.",
    "Weekly counselling sessions.",
    "Monthly home visit by the social worker.",
    "Obtain a birth certificate.",
    "Family tracing and assessment.",
)
REFERRAL_REASONS = {
    "shelter": "The child cannot stay at home safely for now.",
    "medical": "Medical examination and treatment needed.",
    "psychosocial": "The child needs counselling after what happened.",
    "legal_aid": "Support for the child in the court case.",
    "education": "Help the child return to school.",
    "vocational_training": "Vocational training for an older child.",
    "family_tracing": "Trace the family before any return home.",
    "cash_support": "The family needs cash support to keep the child in school.",
    "livelihood": "Livelihood support so the child does not have to work.",
    "alternative_care": "Find a kinship or foster family.",
    "follow_up": "Follow the family up in their district.",
    "repatriation": "Return the child to the family from abroad.",
}
TRANSFER_REASON = "Child victim identified; the case is handed to social services."
DECLINE_REASONS = (
    "No place available at the moment.",
    "The child's district is outside our coverage.",
    "The service asked for is not one we provide.",
)
CANCEL_REASONS = ("The family moved away.", "The need was met another way.")
OUTCOMES = (
    "Service delivered; the child is doing well.",
    "Counselling completed over eight sessions; follow-up by the sender.",
    "Child enrolled and attending; no further action from us.",
)
OVERRIDE_REASON = "Child victim moved to safety at once; the family could not be reached."
MISSED_REASONS = ("Family not at home.", "Road flooded.", "Worker ill on the day.")
FOLLOW_UP_NOTES = (
    "Child at home and attending school; caregiver cooperative.",
    "Family struggling with income; child helps in the fields after school.",
    "Tension at home; the child wants to leave again.",
)
