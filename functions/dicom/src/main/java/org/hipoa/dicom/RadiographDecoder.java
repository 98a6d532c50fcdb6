package org.hipoa.dicom;

import org.hipoa.domain.Outcome;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;
import org.hipoa.domain.Reason;
import org.hipoa.domain.Rejection;
import org.hipoa.dicom.internal.CodestreamCheck;
import org.hipoa.dicom.internal.DicomStructureScan;
import org.hipoa.dicom.internal.NativePixels;
import org.hipoa.dicom.internal.PixelTransform;
import org.hipoa.dicom.internal.RejectedException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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

    private static final System.Logger LOG = System.getLogger(RadiographDecoder.class.getName());

    private final DecodeLimits limits;

    public RadiographDecoder() {
        this(DecodeLimits.DEFAULT);
    }

    public RadiographDecoder(DecodeLimits limits) {
        this.limits = limits;
    }

    public Outcome<Radiograph> decode(Path file) {
        try {
            return read(file).then(this::decode);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file, e); // a local I/O fault, not bad input
        }
    }

    /**
     * The file's bytes for {@link #decode(byte[])}, or TOO_LARGE with its size when it is over the byte budget (then
     * nothing is read); a file that grows past the budget while it is read is refused too.
     */
    public Outcome<byte[]> read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > limits.maxBytes()) return tooLarge(size);
        byte[] bytes = BoundedRead.file(file, readLimit());
        return bytes.length > limits.maxBytes() ? tooLarge(bytes.length) : Outcome.ok(bytes);
    }

    /** Reads at most {@code maxBytes + 1} bytes, so an endless or huge stream is refused, not buffered. */
    public Outcome<Radiograph> decode(InputStream in) throws IOException {
        return decode(in, -1);
    }

    /**
     * As {@link #decode(InputStream)}, with the length the source states (an S3 object's content length; negative
     * when unknown) sizing the one array the stream is read into. A stream of another length still reads correctly.
     */
    public Outcome<Radiograph> decode(InputStream in, long expectedBytes) throws IOException {
        byte[] bytes = BoundedRead.stream(in, expectedBytes, readLimit());
        if (bytes.length > limits.maxBytes()) return tooLarge(bytes.length);
        return decode(bytes);
    }

    /** One byte over the budget: enough to tell a file at the limit from a longer one. */
    private long readLimit() {
        return limits.maxBytes() + 1;
    }

    public Outcome<Radiograph> decode(byte[] bytes) {
        if (bytes.length > limits.maxBytes()) return tooLarge(bytes.length);
        try {
            return Outcome.ok(decodeOrReject(bytes));
        } catch (RejectedException e) {
            return Outcome.rejected(e.rejection());
        } catch (IOException | DicomException | RuntimeException e) {
            // The structure scan passed, so what is left is a codec or attribute-level fault inside PixelMed. The
            // exception's class goes to the log for us; people get a sentence (its message may quote file values).
            LOG.log(System.Logger.Level.INFO, "decode refused after a codec or attribute fault: {0}",
                    e.getClass().getName());
            return rejected(Reason.CORRUPT, "The image's attributes or compressed pixel data could not be decoded: "
                    + "the file is damaged or was written incorrectly.");
        } catch (OutOfMemoryError e) {
            return rejected(Reason.TOO_LARGE, "Decoding needed more memory than this process has.");
        }
    }

    /*
     * Worst-case memory of one accepted decode with the default budgets (B = 256 MiB of input, 40 Mpx), by what is
     * alive at the peak:
     *   the input bytes                                              B            256 MiB
     *   deflated only: the inflated data set, I <= B (twice while its 1 MiB chunks are joined)
     *                                                                             256 MiB
     *   PixelMed's header list (values before Pixel Data, V <= I or B)            256 MiB
     *   compressed only: PixelMed's full list (V + the compressed Pixel Data, <= B), the codec's image and
     *   PixelMed's decoded copy, 2 x 2 B x 40 Mpx                                 256 + 160 MiB
     *   the element/item tree: <= 50,000 elements + 10,000 items at ~1 KiB       ~60 MiB
     *   the float[] result: 4 B x 40 Mpx                                          160 MiB
     * i.e. about 1.2 GiB for a 256 MiB deflated file that is mostly one private value, the construction that
     * maximises it. Native pixel data is read in place from the input (NativePixels), so a real 18 Mpx 16-bit DX
     * film (36 MB native) needs ~36 + 72 + tree = ~0.12 GiB. The preprocess function's 3,008 MB holds the worst case
     * with room for the JVM and the localiser; nothing a codec allocates can exceed Rows x Columns, because
     * CodestreamCheck compares the codestream's own header first.
     */
    private Radiograph decodeOrReject(byte[] bytes) throws IOException, DicomException {
        DicomStructureScan.Result structure = DicomStructureScan.scan(bytes, limits.maxBytes());
        String syntax = structure.transferSyntaxUid();
        if (!TransferSyntaxes.isSupported(syntax)) {
            String name = TransferSyntaxes.name(syntax); // the UID itself when we know no name for it
            String which = name.equals(syntax) ? QuotedValue.uid(syntax) : name + " (" + syntax + ")";
            throw new RejectedException(Reason.UNSUPPORTED_TRANSFER_SYNTAX, "Transfer syntax " + which
                    + " is not supported; send uncompressed, RLE, JPEG lossless or JPEG 2000.");
        }

        AttributeList header = new AttributeList();
        header.read(structure.pixelMedStream(bytes), TagFromName.PixelData);
        ImageGeometry geometry = ImageGeometry.check(header, structure, syntax, limits);
        PixelSpacing spacing = SpacingReader.read(header, limits);
        if (structure.encapsulated()) {
            CodestreamCheck.check(syntax,
                    new CodestreamCheck.Fragments(structure.dataSet(), structure.fragmentOffsets(),
                            structure.fragmentLengths()),
                    new CodestreamCheck.Expected(geometry.rows(), geometry.columns(), geometry.bitsAllocated(),
                            geometry.bitsStored()));
        }
        PixelTransform transform = new PixelTransform(header, geometry.bitsStored(), geometry.signed(),
                geometry.photometric().equals("MONOCHROME1"));

        boolean lossy = TransferSyntaxes.isLossy(syntax);
        float[] pixels = structure.encapsulated()
                ? pixels(decompressed(bytes, structure), geometry, transform, lossy)
                : NativePixels.read(structure.dataSet(), structure.pixelDataOffset(), geometry, transform);

        return new Radiograph(geometry.rows(), geometry.columns(), pixels, spacing,
                syntax, geometry.photometric(), geometry.bitsStored(), window(header, transform),
                string(header, TagFromName.StudyInstanceUID), string(header, TagFromName.SeriesInstanceUID),
                string(header, TagFromName.SOPInstanceUID), string(header, TagFromName.Modality),
                string(header, TagFromName.ViewPosition), laterality(header),
                string(header, TagFromName.BodyPartExamined));
    }

    /** Compressed pixel data, decoded by PixelMed's codecs (JPEG, JPEG-LS/lossless, JPEG 2000, RLE). */
    private static Attribute decompressed(byte[] bytes, DicomStructureScan.Result structure)
            throws IOException, DicomException {
        AttributeList full = new AttributeList();
        full.setDecompressPixelData(true);
        full.read(structure.pixelMedStream(bytes));
        Attribute pixelData = full.get(TagFromName.PixelData);
        if (pixelData == null) {
            throw new RejectedException(Reason.CORRUPT, "The compressed pixel data could not be decoded.");
        }
        return pixelData;
    }


    private static float[] pixels(Attribute pixelData, ImageGeometry g, PixelTransform transform, boolean lossy)
            throws DicomException {
        int n = g.rows() * g.columns();
        float[] out = new float[n];
        int bits = g.bitsAllocated(); // 8 or 16: ImageGeometry refuses compressed 32-bit pixels
        float[] table = NativePixels.checkedTable(transform, bits, lossy);
        if (bits == 8) {
            // OB, or OW: PS3.5 8.1.1 allows 8-bit pixels in OW; its bytes are little-endian word halves.
            byte[] values = pixelData instanceof OtherWordAttribute ow ? ow.getByteValues(false)
                    : pixelData.getByteValues();
            requireLength(values.length, n, 1);
            for (int i = 0; i < n; i++) out[i] = table[values[i] & 0xFF];
        } else {
            short[] values = pixelData.getShortValues();
            requireLength(values.length, n, 1);
            for (int i = 0; i < n; i++) out[i] = table[values[i] & 0xFFFF];
        }
        return out;
    }

    /**
     * Exactly the image: a codec that returns more or fewer values decoded something else than the header
     * describes. One extra value is the pad an odd-length native value carries (PS3.5 7.1.1).
     */
    private static void requireLength(int have, long need, int perPixel) {
        if (have != need && !(need % 2 == 1 && have == need + 1 && perPixel == 1)) {
            throw new RejectedException(Reason.CORRUPT, String.format(Locale.ROOT,
                    "The pixel data decodes to %,d values but Rows x Columns needs %,d.", have / perPixel,
                    need / perPixel));
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

    /**
     * The rejection a file of {@code size} bytes gets before any byte is read (a caller that knows the size, as an
     * S3 event states it), or empty when the size is within the budget.
     */
    public Optional<Rejection> checkSize(long size) {
        return size > limits.maxBytes() ? Optional.of(tooLargeRejection(size)) : Optional.empty();
    }

    private Rejection tooLargeRejection(long size) {
        return new Rejection(Reason.TOO_LARGE, "The file is " + size + " bytes; the limit is " + limits.maxBytes()
                + ".");
    }

    private <T> Outcome<T> tooLarge(long size) {
        return Outcome.rejected(tooLargeRejection(size));
    }

    private static Outcome<Radiograph> rejected(Reason reason, String message) {
        return Outcome.rejected(new Rejection(reason, message));
    }
}
