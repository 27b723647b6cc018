package dev.lethe.evaluator.checkpoint;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * The header of one ND4J array as {@code Nd4j.write} stores it in {@code coefficients.bin} and
 * {@code updaterState.bin}, read without allocating anything it declares.
 *
 * <p>The layout (ND4J 1.0.0-M2.1): a shape-information buffer, then the data buffer. Each buffer starts with
 * {@code writeUTF(allocationMode)}, its element count (an int for the old modes DIRECT/HEAP/JAVACPP, a long for
 * LONG_SHAPE/MIXED_DATA_TYPES) and {@code writeUTF(dataType)}; then the elements. The shape information is
 * {@code [rank, shape[rank], stride[rank], extras, elementWiseStride, order]}, so it has {@code 2*rank+4} elements.
 * {@code Nd4j.read} allocates both buffers from these counts before reading a single element: a 10 KB file that
 * claims 16·10⁹ floats makes it allocate 64 GB of native memory. Here every count is checked first.
 */
record Dl4jArrayHeader(long[] shape, String dataType, long length) {

    /** ND4J allows up to 32 dimensions. */
    static final int MAX_RANK = 32;

    /** Bytes per element of the data types a model's parameters or updater state can have. */
    static final Map<String, Integer> PARAMETER_TYPES = Map.of("FLOAT", 4, "DOUBLE", 8, "HALF", 2, "BFLOAT16", 2);

    private static final Map<String, Boolean> LONG_COUNT_MODES = Map.of(
            "DIRECT", false, "HEAP", false, "JAVACPP", false, "LONG_SHAPE", true, "MIXED_DATA_TYPES", true);
    private static final Map<String, Integer> SHAPE_TYPES = Map.of("LONG", 8, "INT", 4);

    /** Bytes the data elements take: {@code length × width(dataType)}. */
    public long dataBytes() {
        return Math.multiplyExact(length, (long) PARAMETER_TYPES.get(dataType));
    }

    /**
     * Reads and checks the header at the start of {@code in}, leaving the stream at the first data element.
     *
     * @throws CheckpointRejectedException when a count, the rank, a dimension or a data type is not one a real
     *                                     array can have; nothing it declares has been allocated
     */
    public static Dl4jArrayHeader read(DataInputStream in, String entry) throws IOException, CheckpointRejectedException {
        BufferHeader shapeHeader = BufferHeader.read(in, entry + " shape");
        Integer shapeWidth = SHAPE_TYPES.get(shapeHeader.dataType());
        if (shapeWidth == null) {
            throw refused(entry, "shape information of type " + shapeHeader.dataType() + ", not LONG or INT");
        }
        if (shapeHeader.count() < 4 || shapeHeader.count() > 2L * MAX_RANK + 4) {
            throw refused(entry, "shape information of " + shapeHeader.count() + " elements (an array of rank 0.."
                    + MAX_RANK + " has 4.." + (2 * MAX_RANK + 4) + ")");
        }
        long[] info = new long[(int) shapeHeader.count()];
        for (int i = 0; i < info.length; i++) {
            info[i] = shapeWidth == 8 ? in.readLong() : in.readInt();
        }
        long rank = info[0];
        if (rank < 0 || rank > MAX_RANK || info.length != 2 * rank + 4) {
            throw refused(entry, "rank " + rank + " with " + info.length + " shape elements (expected 2*rank+4)");
        }
        long[] shape = Arrays.copyOfRange(info, 1, 1 + (int) rank);
        long elements = 1;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw refused(entry, "negative dimension in shape " + Arrays.toString(shape));
            }
            try {
                elements = Math.multiplyExact(elements, dimension);
            } catch (ArithmeticException e) {
                throw refused(entry, "shape " + Arrays.toString(shape) + " whose element count overflows a long");
            }
        }
        BufferHeader dataHeader = BufferHeader.read(in, entry + " data");
        if (!PARAMETER_TYPES.containsKey(dataHeader.dataType())) {
            throw refused(entry, "data of type " + dataHeader.dataType() + ", not one of " + PARAMETER_TYPES.keySet());
        }
        if (dataHeader.count() != elements) {
            throw refused(entry, "a data buffer of " + dataHeader.count() + " elements for shape " + Arrays.toString(shape)
                    + " (" + elements + " elements)");
        }
        if (elements > Long.MAX_VALUE / 8) {
            throw refused(entry, "shape " + Arrays.toString(shape) + " of more bytes than a long counts");
        }
        return new Dl4jArrayHeader(shape, dataHeader.dataType(), elements);
    }

    /** One buffer's {@code (allocationMode, count, dataType)} triple. */
    private record BufferHeader(long count, String dataType) {

        static BufferHeader read(DataInputStream in, String what) throws IOException, CheckpointRejectedException {
            String mode = in.readUTF();
            Boolean longCount = LONG_COUNT_MODES.get(mode);
            if (longCount == null) {
                throw refused(what, "allocation mode '" + printable(mode) + "', not one of " + LONG_COUNT_MODES.keySet());
            }
            long count = longCount ? in.readLong() : in.readInt();
            if (count < 0) {
                throw refused(what, "a negative element count " + count);
            }
            return new BufferHeader(count, in.readUTF());
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    private static CheckpointRejectedException refused(String entry, String what) {
        return new CheckpointRejectedException("checkpoint " + entry + " declares " + what);
    }
}
