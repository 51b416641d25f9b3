"""The secretary's wall screen (/wall): its numbers, playlist, panels and the warm-up before the first visitor."""
