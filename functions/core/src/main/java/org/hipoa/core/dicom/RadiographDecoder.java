package org.hipoa.core.dicom;

import org.hipoa.domain.Outcome;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import org.hipoa.core.dicom.internal.DicomStructureScan;
import org.hipoa.core.dicom.internal.PixelTransform;
import org.hipoa.core.dicom.internal.RejectedException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Decodes one single-frame grayscale DICOM radiograph into a {@link Radiograph}, or says precisely why not.
 *
 * <p>Never throws for bad input: every malformed, truncated, oversized or unsupported file becomes a
 * {@link Outcome.Rejected}. The order of checks matters: structure first (cheap, exact truncation), then the
 * transfer syntax and the image attributes against the budgets, and only then is any pixel decoded. Thread-safe.
 */
public final class RadiographDecoder {
    static {
        // PixelMed reports recoverable parse problems through java.util.logging; we report them as rejections.
        Logger.getLogger("com.pixelmed").setLevel(Level.OFF);
    }

    private final DecodeLimits limits;

    public RadiographDecoder() {
        this(DecodeLimits.DEFAULT);
    }

    public RadiographDecoder(DecodeLimits limits) {
        this.limits = limits;
    }

    public Outcome<Radiograph> decode(Path file) {
        try {
            long size = Files.size(file);
            if (size > limits.maxBytes()) return tooLarge(size);
            return decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file, e); // a local I/O fault, not bad input
        }
    }

    /** Reads at most {@code maxBytes + 1} bytes, so an endless or huge stream is refused, not buffered. */
    public Outcome<Radiograph> decode(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxBytes() + 1));
        if (bytes.length > limits.maxBytes()) return tooLarge(bytes.length);
        return decode(bytes);
    }

    public Outcome<Radiograph> decode(byte[] bytes) {
        if (bytes.length > limits.maxBytes()) return tooLarge(bytes.length);
        try {
            return Outcome.ok(decodeOrReject(bytes));
        } catch (RejectedException e) {
            return Outcome.rejected(e.rejection());
        } catch (IOException | DicomException | RuntimeException e) {
            // The structure scan passed, so what is left is a codec or attribute-level fault inside PixelMed.
            return rejected(Reason.CORRUPT, "The DICOM attributes or pixel data could not be decoded ("
                    + e.getClass().getSimpleName() + ").");
        } catch (OutOfMemoryError e) {
            return rejected(Reason.TOO_LARGE, "Decoding needed more memory than this process has.");
        }
    }

    private Radiograph decodeOrReject(byte[] bytes) throws IOException, DicomException {
        DicomStructureScan.Result structure = DicomStructureScan.scan(bytes, limits.maxBytes());
        String syntax = structure.transferSyntaxUid();
        if (!TransferSyntaxes.isSupported(syntax)) {
            throw new RejectedException(Reason.UNSUPPORTED_TRANSFER_SYNTAX,
                    "Transfer syntax " + TransferSyntaxes.name(syntax) + " (" + syntax + ") is not supported; send "
                            + "uncompressed, RLE, JPEG lossless or JPEG 2000.");
        }

        AttributeList header = new AttributeList();
        header.read(new DicomInputStream(new ByteArrayInputStream(bytes)), TagFromName.PixelData);
        ImageGeometry geometry = ImageGeometry.check(header, structure, syntax, limits);

        AttributeList full = new AttributeList();
        full.setDecompressPixelData(true);
        full.read(new DicomInputStream(new ByteArrayInputStream(bytes)));
        Attribute pixelData = full.get(TagFromName.PixelData);
        if (pixelData == null) {
            throw new RejectedException(Reason.CORRUPT, "The compressed pixel data could not be decoded.");
        }
        PixelTransform transform = new PixelTransform(header, geometry.bitsStored(), geometry.signed(),
                geometry.photometric().equals("MONOCHROME1"));
        float[] pixels = pixels(pixelData, geometry, transform);

        return new Radiograph(geometry.rows(), geometry.columns(), pixels, SpacingReader.read(header, limits),
                syntax, geometry.photometric(), geometry.bitsStored(), window(header, transform),
                string(header, TagFromName.StudyInstanceUID), string(header, TagFromName.SeriesInstanceUID),
                string(header, TagFromName.SOPInstanceUID), string(header, TagFromName.Modality),
                string(header, TagFromName.ViewPosition), laterality(header),
                string(header, TagFromName.BodyPartExamined));
    }

    private static float[] pixels(Attribute pixelData, ImageGeometry g, PixelTransform transform)
            throws DicomException {
        int n = g.rows() * g.columns();
        float[] out = new float[n];
        if (g.bitsAllocated() == 8) {
            byte[] values = pixelData.getByteValues(); // OB, or OW read implicitly: PixelMed unpacks little-endian
            requireLength(values.length, n);
            for (int i = 0; i < n; i++) out[i] = transform.apply(values[i] & 0xFF);
        } else {
            short[] values = pixelData.getShortValues();
            requireLength(values.length, n);
            for (int i = 0; i < n; i++) out[i] = transform.apply(values[i] & 0xFFFF);
        }
        return out;
    }

    private static void requireLength(int have, int need) {
        if (have < need) {
            throw new RejectedException(Reason.CORRUPT,
                    "Pixel Data holds " + have + " values but Rows x Columns needs " + need + ".");
        }
    }

    private static Optional<VoiWindow> window(AttributeList list, PixelTransform transform) {
        double center = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.WindowCenter, Double.NaN);
        double width = Attribute.getSingleDoubleValueOrDefault(list, TagFromName.WindowWidth, Double.NaN);
        if (!Double.isFinite(center) || !(width > 0)) return Optional.empty();
        return Optional.of(new VoiWindow(transform.orient(center), width));
    }

    private static String laterality(AttributeList list) {
        String image = string(list, TagFromName.ImageLaterality);
        return image.isEmpty() ? string(list, TagFromName.Laterality) : image;
    }

    static String string(AttributeList list, AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).trim();
    }

    private Outcome<Radiograph> tooLarge(long size) {
        return rejected(Reason.TOO_LARGE, "The file is " + size + " bytes; the limit is " + limits.maxBytes() + ".");
    }

    private static Outcome<Radiograph> rejected(Reason reason, String message) {
        return Outcome.rejected(new Rejection(reason, message));
    }
}
