using System.Buffers.Binary;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation;

/// <summary>
/// The model file format (<c>docs/serving.md</c>): one zip archive with
/// <c>manifest.json</c> (format and library version, options, modality names and dimensions, counts, the SHA-256
/// of every other entry), <c>ids.json</c> (user and item ids), <c>train.bin</c> (the training interactions),
/// <c>features/&lt;modality&gt;.npy</c>, <c>graphs/&lt;modality&gt;.bin</c> and <c>graphs/co-interaction.bin</c>
/// (the raw semantic graph parts), and <c>weights.bin</c> (TorchSharp's parameter format). Nothing in it is code: loading
/// parses numbers and names only.
/// </summary>
internal static class ModelFile
{
    // The entry names and the manifest's field names are the file format: they stay as they are when types are
    // renamed (the semantic graph's type was once Eisg; its options are stored under "Graph" and its parts under
    // "graphs/"), so that files written by earlier versions keep loading.
    public const int FormatVersion = 1;

    private const long MaxEntryBytes = 8L << 30;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    internal sealed record ModalityInfo(string Name, int Dimension);

    internal sealed record Manifest(
        int FormatVersion,
        string LibraryVersion,
        string Model,
        string DatasetName,
        int UserCount,
        int ItemCount,
        int TrainInteractions,
        int EmbeddingSize,
        IReadOnlyList<ModalityInfo> Modalities,
        SingerModelOptions Options,
        IReadOnlyDictionary<string, string> Sha256);

    internal sealed record Ids(IReadOnlyList<string> Users, IReadOnlyList<string> Items);

    /// <summary>What loading needs to rebuild a model.</summary>
    internal sealed record Contents(InteractionDataset Dataset, SingerModelOptions Options, SemanticGraph? Graph, byte[] Weights, Manifest Manifest, IReadOnlyDictionary<string, byte[]> Entries);

    public static void Write(Stream stream, SingerModel model, byte[] weights, IReadOnlyList<(string Name, byte[] Bytes)>? extra = null)
    {
        var entries = new List<(string Name, byte[] Bytes)>();
        var data = model.Dataset;
        entries.Add(("ids.json", JsonSerializer.SerializeToUtf8Bytes(new Ids(data.Users.Ids, data.Items.Ids), Json)));
        entries.Add(("train.bin", WriteMatrix(data.Train)));
        var modalities = new List<ModalityInfo>();
        if (model.Graph is { } graph)
        {
            foreach (string name in graph.Modalities)
            {
                var m = data.GetModality(name);
                modalities.Add(new ModalityInfo(name, m.Dimension));
                using var npy = new MemoryStream();
                NpyFile.Write(npy, m.ItemCount, m.Dimension, m.Values);
                entries.Add(($"features/{name}.npy", npy.ToArray()));
                entries.Add(($"graphs/{name}.bin", WriteGraph(graph.ModalityGraph(name))));
            }

            entries.Add(("graphs/co-interaction.bin", WriteGraph(graph.CoInteraction)));
        }

        entries.Add(("weights.bin", weights));
        entries.AddRange(extra ?? []);
        var manifest = new Manifest(
            FormatVersion,
            typeof(ModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            model.Name,
            data.Name,
            data.UserCount,
            data.ItemCount,
            data.Train.Count,
            model.Options.Training.EmbeddingSize,
            modalities,
            model.Options,
            entries.ToDictionary(e => e.Name, e => Convert.ToHexString(SHA256.HashData(e.Bytes))));

        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        Add(zip, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
        foreach (var (name, bytes) in entries)
        {
            Add(zip, name, bytes);
        }
    }

    public static Contents Read(Stream stream, string source)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new CorruptModelFileException(source, "not a model archive, or truncated (the zip directory cannot be read).", null, e);
        }

        using (zip)
        {
            var manifestBytes = ReadEntry(zip, "manifest.json", source);
            int version;
            try
            {
                using var doc = JsonDocument.Parse(manifestBytes);
                version = doc.RootElement.GetProperty(nameof(Manifest.FormatVersion)).GetInt32();
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new CorruptModelFileException(source, "the manifest is not valid JSON with a FormatVersion.", "manifest.json", e);
            }

            if (version > FormatVersion)
            {
                throw new UnsupportedModelVersionException(source, version, FormatVersion);
            }

            if (version < 1)
            {
                throw new CorruptModelFileException(source, $"format version {version} is not a valid version.", "manifest.json");
            }

            Manifest manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<Manifest>(manifestBytes, Json)
                    ?? throw new JsonException("empty manifest");
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
            {
                throw new CorruptModelFileException(source, $"the manifest cannot be read ({e.Message}).", "manifest.json", e);
            }

            if (manifest.Sha256 is null || manifest.Options is null || manifest.Modalities is null)
            {
                throw new CorruptModelFileException(source, "the manifest lacks checksums, options or modalities.", "manifest.json");
            }

            var o = manifest.Options;
            if (o.Graph?.Knn is not null && o.Behavior is not null && o.Semantic is not null && o.Perturbation is not null && o.Alignment is not null && o.Training is not null)
            {
                o = LegacyOptions.Complete(manifestBytes, o);
                manifest = manifest with { Options = o };
            }
            if (o.Graph?.Knn is null || o.Behavior is null || o.Semantic is null || o.Perturbation is null || o.Alignment is null || o.Training is null)
            {
                throw new CorruptModelFileException(source, "the manifest lacks a part of the options (Graph, Behavior, Semantic, Perturbation, Alignment or Training).", "manifest.json");
            }

            // The manifest carries no checksum of its own: check the stored options like Build() does before they size
            // any tensor (an edited EmbeddingSize of 2·10⁹ would otherwise ask the allocator for terabytes).
            var problems = o.Training.Validate().Concat(o.Behavior.Validate()).Concat(o.Semantic.Validate(null))
                .Concat(o.Perturbation.Validate()).Concat(o.Alignment.Validate()).ToArray();
            if (problems.Length > 0)
            {
                throw new IncompatibleModelFileException(source, $"the stored options are invalid: {string.Join("; ", problems.Select(p => p.ToString()))}");
            }

            // Verify every listed entry before using any of them.
            var bytes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var (name, expected) in manifest.Sha256)
            {
                var content = ReadEntry(zip, name, source);
                string actual = Convert.ToHexString(SHA256.HashData(content));
                if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                {
                    throw new CorruptModelFileException(source, $"entry '{name}' does not match its SHA-256 in the manifest; the file is corrupted or was modified.", name);
                }

                bytes[name] = content;
            }

            byte[] Need(string name) => bytes.TryGetValue(name, out var b)
                ? b
                : throw new CorruptModelFileException(source, $"the manifest does not list the entry '{name}'.", name);

            Ids ids;
            try
            {
                ids = JsonSerializer.Deserialize<Ids>(Need("ids.json"), Json) ?? throw new JsonException("empty");
            }
            catch (JsonException e)
            {
                throw new CorruptModelFileException(source, "ids.json cannot be read.", "ids.json", e);
            }

            if (ids.Users is null || ids.Items is null || ids.Users.Count != manifest.UserCount || ids.Items.Count != manifest.ItemCount)
            {
                throw new IncompatibleModelFileException(source, $"ids.json has {ids.Users?.Count} users and {ids.Items?.Count} items; the manifest declares {manifest.UserCount} and {manifest.ItemCount}.");
            }

            var train = ReadMatrix(Need("train.bin"), manifest.UserCount, manifest.ItemCount, source);
            if (train.Count != manifest.TrainInteractions)
            {
                throw new IncompatibleModelFileException(source, $"train.bin holds {train.Count} interactions; the manifest declares {manifest.TrainInteractions}.");
            }

            var modalities = new List<ItemModality>();
            var knn = new Dictionary<string, SparseGraph>(StringComparer.Ordinal);
            foreach (var info in manifest.Modalities)
            {
                string entry = $"features/{info.Name}.npy";
                ItemModality m;
                try
                {
                    using var ms = new MemoryStream(Need(entry));
                    var (rows, cols, values) = NpyFile.ReadMatrix(ms, $"{source}:{entry}");
                    m = new ItemModality(info.Name, rows, cols, values, takeOwnership: true);
                }
                catch (NpyFormatException e)
                {
                    throw new CorruptModelFileException(source, e.Message, entry, e);
                }

                if (m.ItemCount != manifest.ItemCount || m.Dimension != info.Dimension)
                {
                    throw new IncompatibleModelFileException(source,
                        $"{entry} is {m.ItemCount} × {m.Dimension}; the manifest declares {manifest.ItemCount} × {info.Dimension}.");
                }

                modalities.Add(m);
                knn[info.Name] = ReadGraph(Need($"graphs/{info.Name}.bin"), manifest.ItemCount, source, $"graphs/{info.Name}.bin");
            }

            SemanticGraph? graph = null;
            if (modalities.Count > 0)
            {
                var co = ReadGraph(Need("graphs/co-interaction.bin"), manifest.ItemCount, source, "graphs/co-interaction.bin");
                try
                {
                    graph = SemanticGraph.FromGraphs(knn, co, manifest.Options.Graph.Beta);
                }
                catch (Exception e) when (e is GraphOptionsException or InvalidOperationException)
                {
                    throw new IncompatibleModelFileException(source, e.Message, e);
                }
            }

            var none = UserItemMatrix.FromPairs(manifest.UserCount, manifest.ItemCount, [], []);
            InteractionDataset dataset;
            try
            {
                dataset = new InteractionDataset(manifest.DatasetName, new IdMap(ids.Users), new IdMap(ids.Items), train, none, none, modalities);
            }
            catch (ArgumentException e)
            {
                throw new IncompatibleModelFileException(source, e.Message, e);
            }

            return new Contents(dataset, manifest.Options, graph, Need("weights.bin"), manifest, bytes);
        }
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        using var s = entry.Open();
        s.Write(bytes);
    }

    private static byte[] ReadEntry(ZipArchive zip, string name, string source)
    {
        ZipArchiveEntry? found;
        try
        {
            // The archive reads its central directory on first use, so a damaged directory surfaces here.
            found = zip.GetEntry(name);
        }
        catch (InvalidDataException e)
        {
            throw new CorruptModelFileException(source, $"not a model archive, or truncated (the zip directory cannot be read: {e.Message}).", null, e);
        }

        var entry = found ?? throw new CorruptModelFileException(source, $"the entry '{name}' is missing.", name);
        if (entry.Length > MaxEntryBytes)
        {
            throw new CorruptModelFileException(source, $"the entry '{name}' declares {entry.Length:N0} bytes, more than a model holds.", name);
        }

        try
        {
            // The declared length is a claim of the file: grow with the data actually inflated, and stop as soon as
            // it exceeds the claim, so that neither a forged length nor a zip bomb sizes the allocation.
            using var s = entry.Open();
            using var ms = new MemoryStream((int)Math.Min(entry.Length, 64 << 10));
            var buffer = new byte[16 << 10];
            int n;
            while ((n = s.Read(buffer)) > 0)
            {
                if (ms.Length + n > entry.Length)
                {
                    throw new InvalidDataException($"it inflates beyond its declared {entry.Length:N0} bytes");
                }

                ms.Write(buffer, 0, n);
            }

            if (ms.Length != entry.Length)
            {
                throw new InvalidDataException($"read {ms.Length} of {entry.Length} bytes");
            }

            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new CorruptModelFileException(source, $"the entry '{name}' cannot be decompressed ({e.Message}); the file is damaged.", name, e);
        }
    }

    // Binary tables: little-endian int32 header (magic, rows, columns, nnz), then offsets, columns (and float values).
    private const int MatrixMagic = 0x53524D31; // "SRM1"
    private const int GraphMagic = 0x53524731;  // "SRG1"

    private static byte[] WriteMatrix(UserItemMatrix m) =>
        WriteCsr(MatrixMagic, m.UserCount, m.ItemCount, m.RowOffsets, m.ItemIndices, default);

    private static byte[] WriteGraph(SparseGraph g) =>
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

    private static UserItemMatrix ReadMatrix(byte[] bytes, int users, int items, string source)
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

    private static SparseGraph ReadGraph(byte[] bytes, int items, string source, string entry)
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
