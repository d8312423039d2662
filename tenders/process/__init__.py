"""The process itself: the need, its file, the engine's window on it."""
