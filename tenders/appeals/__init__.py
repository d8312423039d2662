"""Special appeals (recurso especial en materia de contratación, LCSP arts. 44–60)."""
