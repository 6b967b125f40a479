"""Assessment's services: every transition of the chain, each checking who acts and the state it starts from.

One module per stage: ``assigning`` (assessors and their queue), ``assessing`` (judgements, completing),
``moderation`` (sampling plans, draws, the moderator's decisions, releasing outcomes to learners and resubmission),
``appeals``, ``ratification`` (CLD: the issuing institution), ``claims`` (SEG: claims, EQA and certification),
``pipeline`` (what each role is waiting on, per cohort). ``common`` holds what they share.
"""
