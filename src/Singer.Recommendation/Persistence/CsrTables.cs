using System.Buffers.Binary;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation;

/// <summary>
/// The binary table format of a model file's <c>train.bin</c> and <c>graphs/*.bin</c>: a little-endian int32 header
/// (magic, rows, columns, entries), then the CSR row offsets, the column indices and (graphs only) the float values.
/// Reading checks every size against the bytes there are before it allocates.
/// </summary>
internal static class CsrTables
{
    private const int MatrixMagic = 0x53524D31; // "SRM1"
    private const int GraphMagic = 0x53524731;  // "SRG1"

    /// <summary>The training interactions as a table (no values).</summary>
    public static byte[] WriteMatrix(UserItemMatrix m) =>
        WriteCsr(MatrixMagic, m.UserCount, m.ItemCount, m.RowOffsets, m.ItemIndices, default);

    /// <summary>A sparse graph as a table with its values.</summary>
    public static byte[] WriteGraph(SparseGraph g) =>
        WriteCsr(GraphMagic, g.RowCount, g.ColumnCount, g.RowOffsets, g.ColumnIndices, g.Values);

    private static byte[] WriteCsr(int magic, int rows, int columns, ReadOnlySpan<int> offsets, ReadOnlySpan<int> indices, ReadOnlySpan<float> values)
    {
        var bytes = new byte[16 + (4L * (offsets.Length + indices.Length + values.Length))];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], rows);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], columns);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], indices.Length);
        int p = 16;
        foreach (int v in offsets)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[p..], v);
            p += 4;
        }

        foreach (int v in indices)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[p..], v);
            p += 4;
        }

        foreach (float v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[p..], v);
            p += 4;
        }

        return bytes;
    }

    private static (int Rows, int Columns, int[] Offsets, int[] Indices, float[]? Values) ReadCsr(byte[] bytes, int magic, bool hasValues, string source, string entry)
    {
        var span = bytes.AsSpan();
        if (bytes.Length < 16 || BinaryPrimitives.ReadInt32LittleEndian(span) != magic)
        {
            throw new CorruptModelFileException(source, $"'{entry}' is not a table of this library (bad header).", entry);
        }

        int rows = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        int columns = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        int nnz = BinaryPrimitives.ReadInt32LittleEndian(span[12..]);
        long expected = 16 + (4L * ((long)rows + 1 + nnz + (hasValues ? nnz : 0)));
        if (rows < 0 || columns < 0 || nnz < 0 || expected != bytes.Length)
        {
            throw new CorruptModelFileException(source, $"'{entry}' declares {rows} × {columns} with {nnz} entries, which its {bytes.Length} bytes do not hold.", entry);
        }

        int p = 16;
        var offsets = new int[rows + 1];
        for (int i = 0; i < offsets.Length; i++, p += 4)
        {
            offsets[i] = BinaryPrimitives.ReadInt32LittleEndian(span[p..]);
        }

        var indices = new int[nnz];
        for (int i = 0; i < nnz; i++, p += 4)
        {
            indices[i] = BinaryPrimitives.ReadInt32LittleEndian(span[p..]);
        }

        float[]? values = null;
        if (hasValues)
        {
            values = new float[nnz];
            for (int i = 0; i < nnz; i++, p += 4)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(span[p..]);
            }
        }

        return (rows, columns, offsets, indices, values);
    }

    /// <summary>Reads <c>train.bin</c>, checked against the declared user and item counts.</summary>
    public static UserItemMatrix ReadMatrix(byte[] bytes, int users, int items, string source)
    {
        var (rows, columns, offsets, indices, _) = ReadCsr(bytes, MatrixMagic, false, source, "train.bin");
        if (rows != users || columns != items)
        {
            throw new IncompatibleModelFileException(source, $"train.bin is {rows} × {columns}; the manifest declares {users} users × {items} items.");
        }

        var u = new int[indices.Length];
        for (int r = 0; r < rows; r++)
        {
            if (offsets[r] < 0 || offsets[r] > offsets[r + 1] || offsets[r + 1] > indices.Length)
            {
                throw new CorruptModelFileException(source, $"train.bin has invalid row offsets at row {r}.", "train.bin");
            }

            u.AsSpan(offsets[r], offsets[r + 1] - offsets[r]).Fill(r);
        }

        try
        {
            return UserItemMatrix.FromPairs(users, items, u, indices);
        }
        catch (ArgumentException e)
        {
            throw new CorruptModelFileException(source, $"train.bin holds an invalid interaction ({e.Message}).", "train.bin", e);
        }
    }

    /// <summary>Reads a graph entry, checked against the item count; edge weights must be finite and non-negative.</summary>
    public static SparseGraph ReadGraph(byte[] bytes, int items, string source, string entry)
    {
        var (rows, columns, offsets, indices, values) = ReadCsr(bytes, GraphMagic, true, source, entry);
        if (rows != items || columns != items)
        {
            throw new IncompatibleModelFileException(source, $"'{entry}' is {rows} × {columns}; the manifest declares {items} items.");
        }

        // Edge weights are cosine similarities or co-interaction counts: finite and non-negative (docs/graphs.md).
        int bad = Array.FindIndex(values!, v => !(v >= 0 && float.IsFinite(v)));
        if (bad >= 0)
        {
            throw new CorruptModelFileException(source, $"'{entry}' holds the edge weight {values![bad]} at position {bad}; weights are finite and non-negative.", entry);
        }

        try
        {
            return SparseGraph.FromCsr(rows, columns, offsets, indices, values!);
        }
        catch (ArgumentException e)
        {
            throw new CorruptModelFileException(source, $"'{entry}' is not a valid sparse graph ({e.Message}).", entry, e);
        }
    }
}
