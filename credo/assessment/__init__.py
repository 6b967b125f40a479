"""Assessment, moderation, external QA and ratification (a later issue)."""
