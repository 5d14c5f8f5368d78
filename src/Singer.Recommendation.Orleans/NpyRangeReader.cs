using System.Buffers.Binary;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// Reads rows <c>i..j</c> of a 2-D <c>.npy</c> file without reading the rest: the header is parsed (and the file's
/// length checked against the declared shape, so a truncated file fails before any row is read), then only the byte
/// range of those rows is memory-mapped and copied. A work item over a 10⁷-row catalogue therefore touches its own
/// rows only, and silos on one machine share the file's pages in the page cache.
/// </summary>
internal static class NpyRangeReader
{
    /// <summary>The shape from the header (the length is checked).</summary>
    /// <exception cref="FeatureSourceException">Missing, malformed or truncated.</exception>
    public static (int Rows, int Columns) ReadShape(string path)
    {
        var layout = Layout(path);
        return ((int)layout.Rows, (int)layout.Columns);
    }

    /// <summary>Rows <c>[start, start + count)</c> (count null: to the end) as float32, row-major.</summary>
    /// <exception cref="FeatureSourceException">Missing, malformed, truncated, or the rows are not in the file.</exception>
    public static (float[] Values, int Count, int Columns) ReadRows(string path, int start, int? count, CancellationToken cancellationToken)
    {
        var layout = Layout(path);
        int rows = (int)layout.Rows, columns = (int)layout.Columns;
        int n = count ?? (rows - start);
        if (start < 0 || n < 0 || (long)start + n > rows)
        {
            throw new FeatureSourceException(string.Create(CultureInfo.InvariantCulture,
                $"Feature file {path}: rows [{start:N0}, {(long)start + n:N0}) were requested but the file has {rows:N0} rows; was the file replaced while the job ran?"));
        }

        if ((long)n * columns > Array.MaxLength)
        {
            throw new FeatureSourceException(string.Create(CultureInfo.InvariantCulture,
                $"Feature file {path}: {n:N0} rows × {columns} values exceed one array; use more row blocks or column shards."));
        }

        var values = new float[n * columns];
        if (values.Length == 0)
        {
            return (values, n, columns);
        }

        long offset = layout.DataOffset + ((long)start * columns * layout.ItemSize);
        long length = (long)n * columns * layout.ItemSize;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
            using var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            using var view = map.CreateViewAccessor(offset, length, MemoryMappedFileAccess.Read);
            Copy(view, layout.ItemSize, values, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FeatureSourceException($"Feature file {path}: mapping rows [{start:N0}, {(long)start + n:N0}) failed: {e.Message}", e);
        }

        return (values, n, columns);
    }

    /// <summary>Wraps rows read from a file as a modality, naming the file and the global row of a non-finite value.</summary>
    public static ItemModality ToModality(string name, string path, int start, int count, int columns, float[] values)
    {
        for (long i = 0; i < values.LongLength; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new FeatureSourceException(string.Create(CultureInfo.InvariantCulture,
                    $"Feature file {path}: row {start + (i / columns):N0}, column {i % columns} is {values[i]}; features must be finite numbers."));
            }
        }

        return new ItemModality(name, count, columns, values, takeOwnership: true);
    }

    private static NpyFile.NpyLayout Layout(string path)
    {
        NpyFile.NpyLayout layout;
        try
        {
            layout = NpyFile.ReadLayout(path);
        }
        catch (FileNotFoundException e)
        {
            throw new FeatureSourceException($"Feature file {path} was not found on silo '{Environment.MachineName}'; the file must be on a volume every silo mounts at that path.", e);
        }
        catch (NpyFormatException e)
        {
            // Not kept as the inner exception: it travels back to the client, and the cluster's serializer carries
            // exceptions of the System and Orleans namespaces and of [GenerateSerializer] types only.
            throw new FeatureSourceException(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FeatureSourceException(e.Message, e);
        }

        if (layout.Rows > int.MaxValue || layout.Columns > int.MaxValue)
        {
            throw new FeatureSourceException(string.Create(CultureInfo.InvariantCulture,
                $"Feature file {path}: shape ({layout.Rows}, {layout.Columns}) exceeds {int.MaxValue:N0} rows or columns."));
        }

        return layout;
    }

    private static void Copy(MemoryMappedViewAccessor view, int itemSize, float[] values, CancellationToken cancellationToken)
    {
        const int Chunk = 1 << 20;
        if (itemSize == 4)
        {
            for (int at = 0; at < values.Length; at += Chunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = Math.Min(Chunk, values.Length - at);
                view.ReadArray((long)at * 4, values, at, n);
                if (!BitConverter.IsLittleEndian)
                {
                    var bits = MemoryMarshal.Cast<float, int>(values.AsSpan(at, n));
                    BinaryPrimitives.ReverseEndianness(bits, bits);
                }
            }

            return;
        }

        var doubles = new double[Math.Min(Chunk, values.Length)];
        for (int at = 0; at < values.Length; at += Chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(Chunk, values.Length - at);
            view.ReadArray((long)at * 8, doubles, 0, n);
            if (!BitConverter.IsLittleEndian)
            {
                var bits = MemoryMarshal.Cast<double, long>(doubles.AsSpan(0, n));
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }

            for (int i = 0; i < n; i++)
            {
                values[at + i] = (float)doubles[i];
            }
        }
    }
}
