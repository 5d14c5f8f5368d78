using System.Reflection;
using System.IO.Compression;
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
/// parses numbers and names only. It writes and reads a <see cref="ModelSnapshot"/>; the zip container is
/// <see cref="ModelArchive"/>, the binary tables <see cref="CsrTables"/>, the manifest's checks
/// <c>ModelFile.Manifest.cs</c>.
/// </summary>
internal static partial class ModelFile
{
    // The entry names and the manifest's field names are the file format: they stay as they are when types are
    // renamed (the semantic graph's type was once Eisg; its options are stored under "Graph" and its parts under
    // "graphs/"), so that files written by earlier versions keep loading.
    public const int FormatVersion = 1;

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

    /// <summary>What loading gives: the snapshot, the manifest, and every verified entry (a checkpoint adds its own).</summary>
    internal sealed record Contents(ModelSnapshot Snapshot, Manifest Manifest, IReadOnlyDictionary<string, byte[]> Entries);

    /// <summary>Writes <paramref name="snapshot"/> (and <paramref name="extra"/> entries) to <paramref name="stream"/>, which stays open.</summary>
    public static void Write(Stream stream, ModelSnapshot snapshot, IReadOnlyList<(string Name, byte[] Bytes)>? extra = null)
    {
        var entries = new List<(string Name, byte[] Bytes)>();
        var data = snapshot.Dataset;
        entries.Add(("ids.json", JsonSerializer.SerializeToUtf8Bytes(new Ids(data.Users.Ids, data.Items.Ids), Json)));
        entries.Add(("train.bin", CsrTables.WriteMatrix(data.Train)));
        var modalities = new List<ModalityInfo>();
        if (snapshot.Graph is { } graph)
        {
            foreach (string name in graph.Modalities)
            {
                var m = data.GetModality(name);
                modalities.Add(new ModalityInfo(name, m.Dimension));
                using var npy = new MemoryStream();
                NpyFile.Write(npy, m.ItemCount, m.Dimension, m.Values);
                entries.Add(($"features/{name}.npy", npy.ToArray()));
                entries.Add(($"graphs/{name}.bin", CsrTables.WriteGraph(graph.ModalityGraph(name))));
            }

            entries.Add(("graphs/co-interaction.bin", CsrTables.WriteGraph(graph.CoInteraction)));
        }

        entries.Add(("weights.bin", snapshot.Weights));
        entries.AddRange(extra ?? []);
        var manifest = new Manifest(
            FormatVersion,
            typeof(ModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            snapshot.Model,
            data.Name,
            data.UserCount,
            data.ItemCount,
            data.Train.Count,
            snapshot.Options.Training.EmbeddingSize,
            modalities,
            snapshot.Options,
            entries.ToDictionary(e => e.Name, e => Convert.ToHexString(SHA256.HashData(e.Bytes))));

        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        ModelArchive.Add(zip, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
        foreach (var (name, bytes) in entries)
        {
            ModelArchive.Add(zip, name, bytes);
        }
    }

    /// <summary>
    /// Reads a model file in the order that lets nothing unchecked size an allocation: the archive, the manifest and
    /// its options, every entry against its checksum, then the ids, the training interactions, the features and
    /// graphs, and the data set they form.
    /// </summary>
    /// <exception cref="CorruptModelFileException">The archive, the manifest or an entry is damaged or missing.</exception>
    /// <exception cref="UnsupportedModelVersionException">The format is newer than this library.</exception>
    /// <exception cref="IncompatibleModelFileException">The parts do not have the declared sizes, or the options are invalid.</exception>
    public static Contents Read(Stream stream, string source)
    {
        using var zip = ModelArchive.Open(stream, source);
        var manifest = ReadManifest(ModelArchive.ReadEntry(zip, "manifest.json", source), source);
        var entries = new Entries(ModelArchive.ReadVerified(zip, manifest.Sha256, source), source);
        var ids = ReadIds(entries, manifest, source);
        var train = ReadTrain(entries, manifest, source);
        var (modalities, knn) = ReadModalities(entries, manifest, source);
        var graph = modalities.Count > 0 ? ReadSemanticGraph(entries, manifest, knn, source) : null;
        var dataset = CreateDataset(manifest, ids, train, modalities, source);
        return new Contents(new ModelSnapshot(manifest.Model, dataset, manifest.Options, graph, entries.Need("weights.bin")), manifest, entries.All);
    }

    /// <summary>The verified entries; a missing one is named in the error.</summary>
    private sealed class Entries(Dictionary<string, byte[]> all, string source)
    {
        public IReadOnlyDictionary<string, byte[]> All => all;

        public byte[] Need(string name) => all.TryGetValue(name, out var b)
            ? b
            : throw new CorruptModelFileException(source, $"the manifest does not list the entry '{name}'.", name);
    }

    private static Ids ReadIds(Entries entries, Manifest manifest, string source)
    {
        Ids ids;
        try
        {
            ids = JsonSerializer.Deserialize<Ids>(entries.Need("ids.json"), Json) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new CorruptModelFileException(source, "ids.json cannot be read.", "ids.json", e);
        }

        if (ids.Users is null || ids.Items is null || ids.Users.Count != manifest.UserCount || ids.Items.Count != manifest.ItemCount)
        {
            throw new IncompatibleModelFileException(source, $"ids.json has {ids.Users?.Count} users and {ids.Items?.Count} items; the manifest declares {manifest.UserCount} and {manifest.ItemCount}.");
        }

        return ids;
    }

    private static UserItemMatrix ReadTrain(Entries entries, Manifest manifest, string source)
    {
        var train = CsrTables.ReadMatrix(entries.Need("train.bin"), manifest.UserCount, manifest.ItemCount, source);
        if (train.Count != manifest.TrainInteractions)
        {
            throw new IncompatibleModelFileException(source, $"train.bin holds {train.Count} interactions; the manifest declares {manifest.TrainInteractions}.");
        }

        return train;
    }

    /// <summary>Each declared modality's features and raw kNN graph, in the manifest's order.</summary>
    private static (List<ItemModality> Modalities, Dictionary<string, SparseGraph> Knn) ReadModalities(Entries entries, Manifest manifest, string source)
    {
        var modalities = new List<ItemModality>();
        var knn = new Dictionary<string, SparseGraph>(StringComparer.Ordinal);
        foreach (var info in manifest.Modalities)
        {
            string entry = $"features/{info.Name}.npy";
            ItemModality m;
            try
            {
                using var ms = new MemoryStream(entries.Need(entry));
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
            knn[info.Name] = CsrTables.ReadGraph(entries.Need($"graphs/{info.Name}.bin"), manifest.ItemCount, source, $"graphs/{info.Name}.bin");
        }

        return (modalities, knn);
    }

    /// <summary>The semantic graph rebuilt from its stored raw parts (normalisation and fusion are recomputed).</summary>
    private static SemanticGraph ReadSemanticGraph(Entries entries, Manifest manifest, Dictionary<string, SparseGraph> knn, string source)
    {
        var co = CsrTables.ReadGraph(entries.Need("graphs/co-interaction.bin"), manifest.ItemCount, source, "graphs/co-interaction.bin");
        try
        {
            return SemanticGraph.FromGraphs(knn, co, manifest.Options.Graph.Beta);
        }
        catch (Exception e) when (e is GraphOptionsException or InvalidOperationException)
        {
            throw new IncompatibleModelFileException(source, e.Message, e);
        }
    }

    /// <summary>The data set of a loaded model: ids, training interactions and features; no validation or test interactions.</summary>
    private static InteractionDataset CreateDataset(Manifest manifest, Ids ids, UserItemMatrix train, List<ItemModality> modalities, string source)
    {
        var none = UserItemMatrix.FromPairs(manifest.UserCount, manifest.ItemCount, [], []);
        try
        {
            return new InteractionDataset(manifest.DatasetName, new IdMap(ids.Users), new IdMap(ids.Items), train, none, none, modalities);
        }
        catch (ArgumentException e)
        {
            throw new IncompatibleModelFileException(source, e.Message, e);
        }
    }
}
