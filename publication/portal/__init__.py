"""The public portal: published processes, consultations, awards and documents, no login."""
