"""The real-data path: a DICOM written with pydicom, read as Java reads it, cropped by the contract."""
import numpy as np
import pytest

from hipoa_train import contract as cm, data, dicom_io

pydicom = pytest.importorskip("pydicom")


def write_dicom(path, pixels, photometric="MONOCHROME2", slope=1.0, intercept=0.0, **spacing):
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"  # digital X-ray
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality = "DX"
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, photometric
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
    for k, v in spacing.items():
        setattr(ds, k, v)
    ds.PixelData = pixels.astype(np.uint16).tobytes()
    ds.save_as(str(path), enforce_file_format=True) if _pydicom3() else ds.save_as(str(path), write_like_original=False)
    return path


def _pydicom3():
    return int(pydicom.__version__.split(".")[0]) >= 3


@pytest.fixture
def stored(tmp_path):
    rng = np.random.default_rng(0)
    return rng.integers(0, 4096, (300, 260)).astype(np.uint16)


def test_read_applies_rescale_inversion_and_spacing(tmp_path, stored):
    p = write_dicom(tmp_path / "a.dcm", stored, "MONOCHROME1", 2.0, -100.0, ImagerPixelSpacing=[0.2, 0.25],
                    EstimatedRadiographicMagnificationFactor=1.25)
    r = dicom_io.read(p)
    # MONOCHROME1 inverts within the Bits Stored range: (0 * 2 - 100) + (4095 * 2 - 100) - value
    expect = (-100.0 + 8090.0) - (stored.astype(np.float64) * 2 - 100)
    assert np.allclose(r.pixels, expect)
    assert (r.row_mm, r.col_mm) == pytest.approx((0.16, 0.2)) and r.spacing_source.endswith("CORRECTED")
    q = write_dicom(tmp_path / "b.dcm", stored, PixelSpacing=[0.3, 0.3], ImagerPixelSpacing=[0.2, 0.2])
    assert dicom_io.read(q).row_mm == 0.3 and dicom_io.read(q).spacing_source == "PIXEL_SPACING"
    z = write_dicom(tmp_path / "c.dcm", stored)
    assert dicom_io.read(z).spacing_source == "ASSUMED"


def test_manifest_dataset_crops_with_the_contract(tmp_path, stored):
    write_dicom(tmp_path / "film.dcm", stored, PixelSpacing=[0.2, 0.2])
    (tmp_path / "m.csv").write_text("image,side,fo,ao,jsn,sclerosis,cysts,center_x_mm,center_y_mm\n"
                                    "film.dcm,right,1,2,3,true,false,20.0,30.0\n"
                                    "film.dcm,left,0,0,1,0,1,30.0,31.5\n")
    ds = data.ManifestHips([tmp_path / "m.csv"])
    x, y = ds[1]
    assert x.shape == (1, 160, 160) and y.tolist() == [0, 0, 1, 0, 1]
    c = cm.load()
    expect = cm.hip_crop(stored.astype(np.float32), 0.2, 0.2, "left", 30.0, 31.5, c)
    assert np.array_equal(x[0].numpy(), expect)
    assert ds.groups()[0] == ds.groups()[1]  # both hips of one image share a split
    films = data.ManifestFilms([tmp_path / "m.csv"])
    canvas, coords = films[0]
    assert canvas.shape == (1, 192, 224) and coords.shape == (2, 2)


def test_manifest_without_centre_needs_a_localiser(tmp_path, stored):
    write_dicom(tmp_path / "film.dcm", stored, PixelSpacing=[0.2, 0.2])
    (tmp_path / "m.csv").write_text("image,side,fo,ao,jsn,sclerosis,cysts\nfilm.dcm,right,1,2,3,1,0\n")
    with pytest.raises(ValueError):
        data.ManifestHips([tmp_path / "m.csv"])
    ds = data.ManifestHips([tmp_path / "m.csv"], centre_fn=lambda rad, side: (26.0, 30.0))
    assert ds[0][0].shape == (1, 160, 160)
