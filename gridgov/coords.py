"""Chinese map-service coordinate systems (GCJ-02, BD-09) to and from WGS-84: for the ETL and the Open311 intake."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

# Krasovsky 1940 ellipsoid, as used by the published GCJ-02 obfuscation.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

# Rough bounding box of mainland China: GCJ-02 applies inside it only.
CHINA_BOUNDS = (73.66, 3.86, 135.05, 53.56)

Floats = npt.NDArray[np.float64]


def in_china(lon: Floats, lat: Floats) -> npt.NDArray[np.bool_]:
    """True where a point lies inside China's bounding box."""
    x0, y0, x1, y1 = CHINA_BOUNDS
    return (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)


def _offset(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """Apply the GCJ-02 offset (what Amap and Tencent publish)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """Invert GCJ-02 by fixed-point iteration (converges below 1e-7 degrees)."""
    glon, glat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(30):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        if max(float(np.max(np.abs(elon), initial=0)), float(np.max(np.abs(elat), initial=0))) < 1e-9:
            break
    return wlon, wlat


def bd09_to_gcj02(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """Remove Baidu's extra BD-09 rotation, giving GCJ-02."""
    x, y = np.asarray(lon, dtype=float) - 0.0065, np.asarray(lat, dtype=float) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def gcj02_to_bd09(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    """Apply Baidu's BD-09 rotation to GCJ-02 coordinates."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def to_wgs84(lon: Floats, lat: Floats, crs: npt.NDArray[np.object_]) -> tuple[Floats, Floats]:
    """Convert each point from its own CRS (wgs84, cgcs2000, gcj02, bd09) to WGS-84."""
    lon, lat = np.asarray(lon, dtype=float).copy(), np.asarray(lat, dtype=float).copy()
    crs = np.asarray(crs, dtype=object)
    bd = crs == "bd09"
    if bd.any():
        lon[bd], lat[bd] = bd09_to_gcj02(lon[bd], lat[bd])
    gcj = (crs == "gcj02") | bd
    if gcj.any():
        lon[gcj], lat[gcj] = gcj02_to_wgs84(lon[gcj], lat[gcj])
    return lon, lat
