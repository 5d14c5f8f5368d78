using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Singer.Recommendation.Features;

/// <summary>
/// The <c>.npy</c> cache of the encoders: the matrix in <c>path</c> (MMRec's format, readable by <see cref="NpyFile"/> and
/// numpy) and, in <c>path.json</c>, a SHA-256 fingerprint of the model, the options and every input, plus the items whose
/// input could not be read. A cache whose fingerprint differs is ignored and rewritten.
/// </summary>
internal static class FeatureCache
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string Fingerprint(string model, IEnumerable<string> inputs)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(s);
            sha.AppendData(BitConverter.GetBytes(bytes.Length));
            sha.AppendData(bytes);
        }

        Add(model);
        foreach (string input in inputs)
        {
            Add(input);
        }

        return Convert.ToHexString(sha.GetHashAndReset());
    }

    public static (ItemModality Modality, IReadOnlyList<FeatureFailure> Failures)? TryLoad(string path, string key, string name, int rows, int columns)
    {
        string meta = path + ".json";
        if (!File.Exists(path) || !File.Exists(meta))
        {
            return null;
        }

        try
        {
            var entry = JsonSerializer.Deserialize<Entry>(File.ReadAllText(meta), Json);
            if (entry is null || entry.Key != key)
            {
                return null;
            }

            var (r, c, values) = NpyFile.ReadMatrix(path);
            if (r != rows || c != columns)
            {
                return null;
            }

            var failures = (entry.Failures ?? []).Select(f => new FeatureFailure(f.Item, f.Source, f.Reason)).ToArray();
            return (new ItemModality(name, r, c, values, takeOwnership: true), failures);
        }
        catch (Exception e) when (e is IOException or JsonException or NpyFormatException or ArgumentException)
        {
            return null;   // an unreadable cache is recomputed, never trusted
        }
    }

    public static void Save(string path, string key, ItemModality modality, IReadOnlyList<FeatureFailure> failures)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string tmp = full + ".tmp";
        NpyFile.Write(tmp, modality);
        File.Move(tmp, full, overwrite: true);
        var entry = new Entry(key, failures.Select(f => new FailureEntry(f.Item, f.Source, f.Reason)).ToList());
        File.WriteAllText(full + ".json.tmp", JsonSerializer.Serialize(entry, Json));
        File.Move(full + ".json.tmp", full + ".json", overwrite: true);
    }

    private sealed record Entry(string Key, List<FailureEntry>? Failures);

    private sealed record FailureEntry(int Item, string? Source, string Reason);
}
