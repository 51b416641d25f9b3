"""The community's clock as the suite pins it (GRIDGOV_NOW, set in conftest.py), for code that takes a clock."""

from __future__ import annotations

from gridgov.settings import CommunitySettings, LayerSettings

CLOCK = CommunitySettings().clock()

# the layers' settings as the environment gives them (the suite's defaults), for layer functions that take them
LAYER_SETTINGS = LayerSettings()
