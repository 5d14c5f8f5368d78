using System.Text.Json;

namespace Singer.Recommendation;

// Reading and checking manifest.json: the format version first (a newer file is refused before anything else is
// parsed), then the record, the options that older versions did not store (LegacyOptions), and the options' own
// validation, since the manifest carries no checksum of its own.
internal static partial class ModelFile
{
    private static Manifest ReadManifest(byte[] manifestBytes, string source)
    {
        CheckVersion(manifestBytes, source);
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

        CheckOptions(o, source);
        return manifest;
    }

    private static void CheckVersion(byte[] manifestBytes, string source)
    {
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
    }

    /// <summary>
    /// Checks the stored options like <c>Build()</c> does before they size any tensor (an edited EmbeddingSize of 2·10⁹
    /// would otherwise ask the allocator for terabytes).
    /// </summary>
    private static void CheckOptions(SingerModelOptions o, string source)
    {
        var problems = o.Training.Validate().Concat(o.Behavior.Validate()).Concat(o.Semantic.Validate(null))
            .Concat(o.Perturbation.Validate()).Concat(o.Alignment.Validate()).ToArray();
        if (problems.Length > 0)
        {
            throw new IncompatibleModelFileException(source, $"the stored options are invalid: {string.Join("; ", problems.Select(p => p.ToString()))}");
        }
    }
}
