"""The OGC API – Features front-end: the de-identified layers published for QGIS, behind HTTP Basic sign-in."""
