package org.hipoa.dicom;

import org.hipoa.domain.Outcome;

import com.pixelmed.dicom.TransferSyntax;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import org.hipoa.core.model.HipLocator;
import org.hipoa.core.crop.CropContract;
import org.hipoa.core.model.HipQa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad values that used to pass as good: lossy overshoot, NaN through the QA gates, absurd geometry. */
class DecoderHardeningTest {
    @TempDir Path dir;
    final RadiographDecoder decoder = new RadiographDecoder();

    /** A 12-bit film with a block at full white beside black: a lossy codec rings above 4095 at the edge. */
    @Test
    void lossyJpeg2000_overshootAboveBitsStored_isClampedNotWrapped() throws Exception {
        TestDicom d = new TestDicom();
        d.rows = 128;
        d.columns = 128;
        short[] p = new short[128 * 128];
        for (int r = 0; r < 128; r++) {
            for (int c = 0; c < 128; c++) p[r * 128 + c] = (short) ((c / 8) % 2 == 0 && r > 16 && r < 112 ? 4095 : 0);
        }
        d.pixels = p;
        Path in = d.write(dir, "edges.dcm", TransferSyntax.ExplicitVRLittleEndian);
        Path lossy = Gdcm.convert(in, dir.resolve("edges-j2k.dcm"), "-K", "-Y", "-q", "10");
        Radiograph r = ((Outcome.Ok<Radiograph>) decoder.decode(lossy)).value();
        assertEquals(TransferSyntaxes.JPEG_2000, r.transferSyntaxUid());
        double whiteSum = 0;
        int whites = 0;
        for (int i = 0; i < p.length; i++) {
            float v = r.pixels()[i];
            assertTrue(v >= 0 && v <= 4095, "pixel " + i + " = " + v + " outside 0..4095");
            if (p[i] == 4095) {
                whiteSum += v;
                whites++;
                assertTrue(v > 2048, "white pixel " + i + " decoded dark (" + v + "): overshoot wrapped");
            }
        }
        assertTrue(whiteSum / whites > 3800, "white block mean " + whiteSum / whites);
    }

    @Test
    void rescaleSlope1e300_isRefused_beforeAnyInfinityReachesTheImage() throws Exception {
        TestDicom d = new TestDicom();
        d.slope = 1e300;
        Outcome<Radiograph> result = decoder.decode(d.bytes(TransferSyntax.ExplicitVRLittleEndian));
        Rejection r = assertInstanceOf(Outcome.Rejected.class, result).rejection();
        assertEquals(Reason.CORRUPT, r.reason());
        assertTrue(r.message().contains("Rescale Slope"), r.message());
    }

    private Radiograph pelvis() throws Exception {
        TestDicom d = new TestDicom();
        d.rows = 1700;
        d.columns = 2000;
        d.bitsAllocated = 8;
        d.bitsStored = 8;
        d.pixelSpacing = new double[] {0.2, 0.2}; // 400 x 340 mm
        return ((Outcome.Ok<Radiograph>) decoder.decode(d.bytes(TransferSyntax.ExplicitVRLittleEndian))).value();
    }

    @Test
    void headGates_failOnNaN_inEveryField() throws Exception {
        Radiograph r = pelvis();
        HipLocator.Located good = new HipLocator.Located(120, 170, 0.15, 300, 172, 0.14);
        assertEquals(Optional.empty(), HipQa.checkHeads(good, r));
        for (int field = 0; field < 6; field++) {
            double[] v = {120, 170, 0.15, 300, 172, 0.14};
            for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                v[field] = bad;
                HipLocator.Located h = new HipLocator.Located(v[0], v[1], v[2], v[3], v[4], v[5]);
                Optional<Rejection> gate = HipQa.checkHeads(h, r);
                assertTrue(gate.isPresent(), "field " + field + " = " + bad + " passed the gate");
                assertEquals(Reason.HIPS_NOT_FOUND, gate.get().reason());
            }
        }
    }

    @Test
    void attributeGates_refuseAnOversizedFilm_andBoundResamplingWork() throws Exception {
        assertEquals(Optional.empty(), HipQa.checkAttributes(pelvis(), CropContract.bundled()));
        TestDicom tall = new TestDicom(); // 1,900 x 100 mm: not a pelvis film, however it is centred
        tall.rows = 950;
        tall.columns = 50;
        tall.bitsAllocated = 8;
        tall.bitsStored = 8;
        tall.pixelSpacing = new double[] {2.0, 2.0};
        Radiograph r = ((Outcome.Ok<Radiograph>) decoder.decode(tall.bytes(TransferSyntax.ExplicitVRLittleEndian)))
                .value();
        assertEquals(Reason.NOT_AP_PELVIS, HipQa.checkAttributes(r, CropContract.bundled()).orElseThrow().reason());

        // The needle film: 449 x 384 mm passes the size gate, and the 0.0101 mm side would make the box filter
        // 199 x 199 samples wide; its 494:1 pixels are refused before the resampling bound is reached.
        Radiograph needle = new Radiograph(90, 38_000, new float[90 * 38_000],
                new PixelSpacing(4.99, 0.0101, PixelSpacing.Source.PIXEL_SPACING), TransferSyntaxes.EXPLICIT_VR_LITTLE_ENDIAN,
                "MONOCHROME2", 8, Optional.empty(), "", "", "", "DX", "AP", "", "PELVIS");
        Rejection work = HipQa.checkAttributes(needle, CropContract.bundled()).orElseThrow();
        assertEquals(Reason.IMPLAUSIBLE_GEOMETRY, work.reason(), work.message());
    }
}
