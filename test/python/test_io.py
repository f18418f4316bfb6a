"""Cross-checks of `microlad convert` against independent readers and writers (tifffile, VTK, meshio, numpy).

Run: PATH=<node 24>:$PATH python -m pytest test/python/test_io.py -q -s  (prints the measured differences)
"""
import os
import struct
import subprocess
from pathlib import Path

import meshio
import numpy as np
import pytest
import tifffile
import vtk
from vtk.util.numpy_support import numpy_to_vtk, vtk_to_numpy

ROOT = Path(__file__).resolve().parents[2]
CLI = [os.environ.get("NODE", "node"), str(ROOT / "bin" / "microlad.cjs")]
SPACING = (2.0, 3.0, 4.0)  # dz, dy, dx


def convert(src, out, *extra):
    r = subprocess.run([*CLI, "convert", str(src), "--out", str(out), *extra], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def volume(tmp_path_factory):
    d = tmp_path_factory.mktemp("io")
    labels = np.random.default_rng(42).integers(0, 3, size=(20, 30, 40)).astype(np.uint8)
    np.save(d / "in.npy", labels)
    return d, labels


def read_vti(path, name):
    r = vtk.vtkXMLImageDataReader()
    r.SetFileName(str(path))
    r.Update()
    img = r.GetOutput()
    nx, ny, nz = (n - 1 for n in img.GetDimensions())
    arr = vtk_to_numpy(img.GetCellData().GetArray(name)).reshape(nz, ny, nx)
    return arr, img.GetSpacing(), img.GetOrigin()


def test_vti_read_by_vtk(volume):
    d, labels = volume
    convert(d / "in.npy", d / "a.vti", "--spacing", "2,3,4", "--unit", "um")
    arr, spacing, origin = read_vti(d / "a.vti", "phase")
    print(f"\nvti: {int((arr != labels).sum())} labels differ, spacing {spacing}, origin {origin}")
    assert np.array_equal(arr, labels)
    assert spacing == SPACING[::-1] and origin == (0, 0, 0)


def test_damask_vti_has_int32_material_cell_data(volume):
    d, labels = volume
    convert(d / "in.npy", d / "grid.vti", "--spacing", "2,3,4", "--format", "damask")
    arr, spacing, _ = read_vti(d / "grid.vti", "material")
    assert arr.dtype == np.int32 and np.array_equal(arr, labels) and spacing == SPACING[::-1]


def test_tiff_read_by_tifffile(volume):
    d, labels = volume
    convert(d / "in.npy", d / "a.tif", "--spacing", "2,3,4", "--unit", "um")
    with tifffile.TiffFile(d / "a.tif") as tif:
        arr = tif.asarray()
        ij = tif.imagej_metadata
        xres = tif.pages[0].tags["XResolution"].value
    print(f"\ntif: {int((arr != labels).sum())} labels differ, ImageJ {ij}, XResolution {xres}")
    assert np.array_equal(arr, labels)
    assert ij["spacing"] == 2 and ij["unit"] == "um" and xres[1] / xres[0] == 4


def test_mhd_read_by_vtk_and_numpy(volume):
    d, labels = volume
    convert(d / "in.npy", d / "a.mhd", "--spacing", "2,3,4")
    raw = np.fromfile(d / "a.raw", dtype=np.uint8).reshape(labels.shape)
    r = vtk.vtkMetaImageReader()
    r.SetFileName(str(d / "a.mhd"))
    r.Update()
    img = r.GetOutput()
    arr = vtk_to_numpy(img.GetPointData().GetScalars()).reshape(labels.shape)
    print(f"\nmhd: numpy {int((raw != labels).sum())} / vtk {int((arr != labels).sum())} labels differ, spacing {img.GetSpacing()}")
    assert np.array_equal(raw, labels) and np.array_equal(arr, labels) and img.GetSpacing() == SPACING[::-1]


def test_npy_round_trip_through_every_format(volume):
    d, labels = volume
    for ext in ("vti", "tif", "mhd", "raw", "npy"):
        convert(d / "in.npy", d / f"rt.{ext}", "--spacing", "2,3,4")
        convert(d / f"rt.{ext}", d / f"back_{ext}.npy")
        back = np.load(d / f"back_{ext}.npy")
        print(f"\n{ext} -> npy: {int((back != labels).sum())} labels differ")
        assert back.dtype == np.uint8 and np.array_equal(back, labels)


def test_inp_read_by_meshio(volume):
    d, labels = volume
    convert(d / "in.npy", d / "m.inp", "--spacing", "2,3,4")
    mesh = meshio.read(d / "m.inp")
    hexa = mesh.get_cells_type("hexahedron")
    p = mesh.points[hexa]
    jac = np.einsum("ij,ij->i", np.cross(p[:, 1] - p[:, 0], p[:, 3] - p[:, 0]), p[:, 4] - p[:, 0])
    counts = {k: len(mesh.cell_sets[f"PHASE_{k}"][0]) for k in range(3)}
    print(f"\ninp: {len(hexa)} hexahedra, Jacobian min {jac.min()} max {jac.max()}, sets {counts}, bbox {mesh.points.max(0)}")
    assert len(hexa) == 24000 and jac.min() > 0 and np.allclose(jac, 24)
    for k in range(3):
        assert counts[k] == int((labels == k).sum())
        # Element centroids of PHASE_k map back to voxels labelled k.
        c = p[mesh.cell_sets[f"PHASE_{k}"][0]].mean(axis=1)
        idx = np.floor(c / np.array([4.0, 3.0, 2.0])).astype(int)
        assert np.all(labels[idx[:, 2], idx[:, 1], idx[:, 0]] == k)
    assert np.allclose(mesh.points.max(0), [160, 90, 40])
    assert set(mesh.point_sets) >= {"XMIN", "XMAX", "YMIN", "YMAX", "ZMIN", "ZMAX"}


def test_inp_periodic_and_omitted_phase_read_by_meshio(volume):
    d, labels = volume
    convert(d / "in.npy", d / "p.inp", "--periodic", "--omit-phase", "0")
    mesh = meshio.read(d / "p.inp")
    assert len(mesh.get_cells_type("hexahedron")) == int((labels != 0).sum())
    plus, minus = mesh.point_sets["PERIODIC_X_PLUS"], mesh.point_sets["PERIODIC_X_MINUS"]
    delta = mesh.points[plus] - mesh.points[minus]
    print(f"\nperiodic x pairs: {len(plus)}, offsets {np.unique(delta, axis=0).tolist()}")
    assert len(plus) > 0 and np.allclose(delta, [40, 0, 0])


def stl_volume(path):
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<I", data[80:84])
    tri = np.frombuffer(data[84:], dtype=np.dtype([("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")]), count=n)
    v = tri["v"].astype(np.float64)
    return n, np.einsum("ij,ij->i", v[:, 0], np.cross(v[:, 1], v[:, 2])).sum() / 6


def test_stl_encloses_phase_volume(volume):
    d, labels = volume
    for phase in range(3):
        convert(d / "in.npy", d / f"s{phase}.stl", "--phase", str(phase), "--spacing", "2,3,4")
        n, vol = stl_volume(d / f"s{phase}.stl")
        expected = int((labels == phase).sum()) * 24
        print(f"\nstl phase {phase}: {n} triangles, encloses {vol:.0f} vs voxel volume {expected} ({100 * (vol / expected - 1):+.1f} %)")
        assert abs(vol / expected - 1) < 0.15


@pytest.mark.parametrize("compression", [None, "lzw", "zlib"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_reads_compressed_tiff_stacks(tmp_path, compression, dtype):
    labels = np.random.default_rng(3).integers(0, 3, size=(5, 12, 9)).astype(dtype)
    if compression == "lzw":
        # tifffile needs imagecodecs to write LZW; Pillow writes it on its own.
        from PIL import Image

        pages = [Image.fromarray(z) for z in labels]
        pages[0].save(tmp_path / "s.tif", save_all=True, append_images=pages[1:], compression="tiff_lzw")
    else:
        tifffile.imwrite(tmp_path / "s.tif", labels, compression=compression, resolution=(2.0, 2.0))
    convert(tmp_path / "s.tif", tmp_path / "s.npy")
    back = np.load(tmp_path / "s.npy")
    assert np.array_equal(back, labels.astype(np.uint8))


def test_reads_imagej_spacing(tmp_path):
    labels = np.random.default_rng(4).integers(0, 2, size=(4, 6, 5)).astype(np.uint8)
    tifffile.imwrite(tmp_path / "ij.tif", labels, imagej=True, resolution=(1 / 0.5, 1 / 0.25), metadata={"spacing": 1.5, "unit": "um"})
    r = convert(tmp_path / "ij.tif", tmp_path / "ij.npy", "--json")
    assert '"unit": "um"' in r.stdout and "1.5" in r.stdout and "0.25" in r.stdout


@pytest.mark.parametrize("mode", ["ascii", "binary", "appended-raw", "appended-base64", "zlib"])
def test_reads_vtk_written_vti(tmp_path, mode):
    labels = np.random.default_rng(5).integers(0, 4, size=(6, 7, 8)).astype(np.uint8)
    img = vtk.vtkImageData()
    img.SetDimensions(9, 8, 7)
    img.SetSpacing(0.5, 0.25, 2.0)
    arr = numpy_to_vtk(labels.ravel(), deep=True)
    arr.SetName("phase")
    img.GetCellData().SetScalars(arr)
    w = vtk.vtkXMLImageDataWriter()
    w.SetFileName(str(tmp_path / "v.vti"))
    w.SetInputData(img)
    w.SetCompressorTypeToNone()
    if mode == "ascii":
        w.SetDataModeToAscii()
    elif mode == "binary":
        w.SetDataModeToBinary()
    elif mode == "appended-raw":
        w.SetDataModeToAppended()
        w.EncodeAppendedDataOff()
    elif mode == "appended-base64":
        w.SetDataModeToAppended()
        w.EncodeAppendedDataOn()
    else:
        w.SetDataModeToBinary()
        w.SetCompressorTypeToZLib()
    w.Write()
    convert(tmp_path / "v.vti", tmp_path / "v.npy")
    assert np.array_equal(np.load(tmp_path / "v.npy"), labels)


def test_truncated_npy_fails_cleanly(tmp_path):
    np.save(tmp_path / "whole.npy", np.zeros((10, 10, 10), np.uint8))
    (tmp_path / "cut.npy").write_bytes((tmp_path / "whole.npy").read_bytes()[:500])
    r = subprocess.run([*CLI, "convert", str(tmp_path / "cut.npy"), "--out", str(tmp_path / "cut.vti")], capture_output=True, text=True)
    print(f"\ntruncated npy: exit {r.returncode}, stderr {r.stderr!r}")
    assert r.returncode != 0 and r.stderr.count("\n") == 1 and "truncated" in r.stderr
    assert not (tmp_path / "cut.vti").exists() and not any(p.name.startswith(".cut.vti") for p in tmp_path.iterdir())
