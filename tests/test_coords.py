"""GCJ-02 / BD-09 conversions against vectors published by other implementations (tolerance 1e-5°)."""

from __future__ import annotations

import numpy as np
import pytest

from gridgov import coords

TOL = 1e-5

# (wgs lon, wgs lat, gcj lon, gcj lat): eviltransform's test table (Shanghai, Shenzhen, Beijing)
# and a Beijing pair from an R package's tests.
WGS_GCJ = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
    (116.39089, 39.90734, 116.39713094, 39.90874107),
]
# (bd lon, bd lat, wgs lon, wgs lat): gcoord's BD-09 unit test
BD_WGS = [(123.0, 45.0, 122.98762210, 44.99171540)]


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), WGS_GCJ)
def test_wgs84_to_gcj02(wlon: float, wlat: float, glon: float, glat: float) -> None:
    lon, lat = coords.wgs84_to_gcj02(np.array([wlon]), np.array([wlat]))
    assert abs(lon[0] - glon) < TOL and abs(lat[0] - glat) < TOL


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), WGS_GCJ)
def test_gcj02_to_wgs84(wlon: float, wlat: float, glon: float, glat: float) -> None:
    lon, lat = coords.to_wgs84(np.array([glon]), np.array([glat]), np.array(["gcj02"], dtype=object))
    assert abs(lon[0] - wlon) < TOL and abs(lat[0] - wlat) < TOL


def test_gcj02_to_wgs84_gcoord_vector() -> None:
    # gcoord's unit test: GCJ-02 (123, 45) → WGS-84 (122.99395597, 44.99804071)
    lon, lat = coords.gcj02_to_wgs84(np.array([123.0]), np.array([45.0]))
    assert abs(lon[0] - 122.99395597) < TOL and abs(lat[0] - 44.99804071) < TOL


def test_bd09_to_gcj02_gcoord_vector() -> None:
    lon, lat = coords.bd09_to_gcj02(np.array([123.0]), np.array([45.0]))
    assert abs(lon[0] - 122.99363304) < TOL and abs(lat[0] - 44.99365430) < TOL


def test_gcj02_to_bd09_gcoord_vector() -> None:
    lon, lat = coords.gcj02_to_bd09(np.array([123.0]), np.array([45.0]))
    assert abs(lon[0] - 123.00636499) < TOL and abs(lat[0] - 45.00636899) < TOL


@pytest.mark.parametrize(("blon", "blat", "wlon", "wlat"), BD_WGS)
def test_bd09_to_wgs84(blon: float, blat: float, wlon: float, wlat: float) -> None:
    lon, lat = coords.to_wgs84(np.array([blon]), np.array([blat]), np.array(["bd09"], dtype=object))
    assert abs(lon[0] - wlon) < TOL and abs(lat[0] - wlat) < TOL


def test_wgs84_and_cgcs2000_pass_through_and_outside_china_is_not_shifted() -> None:
    lon, lat = coords.to_wgs84(np.array([116.4, 116.4]), np.array([39.9, 39.9]), np.array(["wgs84", "wgs84"], dtype=object))
    assert lon.tolist() == [116.4, 116.4] and lat.tolist() == [39.9, 39.9]
    london = coords.wgs84_to_gcj02(np.array([-0.1276]), np.array([51.5072]))
    assert london[0][0] == -0.1276 and london[1][0] == 51.5072
