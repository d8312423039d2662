"""The preliminary market consultation (LCSP art. 115): questions, responses, clarifications, the report."""
