using System.Globalization;

namespace Singer.Recommendation;

/// <summary>Options of <see cref="MmrecDatasetLoader"/>.</summary>
public sealed record MmrecLoadOptions
{
    /// <summary>The data set's name: the folder holds <c>&lt;Name&gt;.inter</c>. Null (the default) takes the folder's only <c>.inter</c> file.</summary>
    public string? Name { get; init; }

    /// <summary>The modalities to load, by name (<c>text</c> loads <c>text_feat.npy</c>). Null (the default) loads every <c>*_feat.npy</c> in the folder, in name order.</summary>
    public IReadOnlyList<string>? Modalities { get; init; }

    /// <summary>What to do with a repeated (user, item) pair; default <see cref="DuplicateInteractionPolicy.Reject"/>.</summary>
    public DuplicateInteractionPolicy Duplicates { get; init; } = DuplicateInteractionPolicy.Reject;
}

/// <summary>
/// Loads a data set in the MMRec layout: <c>&lt;name&gt;.inter</c> (tab-separated, header
/// <c>userID itemID rating timestamp x_label</c>, 0-based integer ids, <c>x_label</c> 0/1/2 = train /
/// validation / test) plus any number of <c>&lt;modality&gt;_feat.npy</c> feature files whose row <c>i</c>
/// belongs to item <c>i</c>.
/// </summary>
/// <remarks>
/// User and item indices are the ids themselves; the user count is the largest user id + 1 and the item count
/// the largest item id + 1. Every feature file must have exactly that many rows. Only <c>userID</c>,
/// <c>itemID</c> and <c>x_label</c> are read; other columns may be present.
/// </remarks>
public static class MmrecDatasetLoader
{
    private const string FeatureFile = "a .npy matrix of item features (row i = item i)";
    private const string InteractionFile = "the tab-separated interaction file";

    /// <summary>Loads the data set in <paramref name="folder"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder has no (or several) <c>.inter</c> file(s), or a requested modality file is missing.</exception>
    /// <exception cref="DataFormatException">A line of the <c>.inter</c> file is malformed (the message names the line), or a folder sits where the layout expects a file (<c>text_feat.npy</c> or the only <c>.inter</c> is a folder; the message names it).</exception>
    /// <exception cref="NpyFormatException">A feature file is malformed or holds NaN/Inf.</exception>
    /// <exception cref="DatasetConsistencyException">A feature file's row count differs from the item count.</exception>
    public static InteractionDataset Load(string folder, MmrecLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        options ??= new MmrecLoadOptions();
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"MMRec data folder not found: {folder}");
        }

        string interPath = FindInterFile(folder, options.Name);
        string name = Path.GetFileNameWithoutExtension(interPath);
        var table = new InteractionTable(interPath, options.Duplicates);
        int maxUser = -1, maxItem = -1;
        long maxUserLine = 0, maxItemLine = 0;
        using (var reader = new DelimitedLineReader(interPath, '\t'))
        {
            if (!reader.TryRead(out var header))
            {
                throw new DataFormatException(interPath, null, "the file is empty; expected the tab-separated header 'userID itemID rating timestamp x_label'.");
            }

            int userCol = Column(header, "userID", reader);
            int itemCol = Column(header, "itemID", reader);
            int labelCol = Column(header, "x_label", reader);
            int needed = Math.Max(userCol, Math.Max(itemCol, labelCol)) + 1;
            while (reader.TryRead(out var fields))
            {
                if (fields.Count < needed)
                {
                    throw new DataFormatException(interPath, reader.LineNumber,
                        $"expected at least {needed} tab-separated fields, found {fields.Count}.");
                }

                int user = ParseId(fields[userCol], "userID", reader);
                int item = ParseId(fields[itemCol], "itemID", reader);
                var split = fields[labelCol] switch
                {
                    "0" => DataSplit.Train,
                    "1" => DataSplit.Validation,
                    "2" => DataSplit.Test,
                    var other => throw new DataFormatException(interPath, reader.LineNumber,
                        $"x_label '{other}' is not a split label; use 0 (train), 1 (validation) or 2 (test)."),
                };
                table.Add(user, item, split, reader.LineNumber);
                if (user > maxUser)
                {
                    (maxUser, maxUserLine) = (user, reader.LineNumber);
                }

                if (item > maxItem)
                {
                    (maxItem, maxItemLine) = (item, reader.LineNumber);
                }
            }
        }

        if (table.Count == 0)
        {
            throw new DataFormatException(interPath, null, "the file has a header but no interactions.");
        }

        // MMRec ids are contiguous; an id far beyond the row count would make every per-user array huge.
        long limit = (16L * table.Count) + 1024;
        if (maxUser >= limit || maxItem >= limit)
        {
            bool user = maxUser >= limit;
            throw new DataFormatException(interPath, user ? maxUserLine : maxItemLine, string.Create(CultureInfo.InvariantCulture,
                $"{(user ? $"userID {maxUser}" : $"itemID {maxItem}")} is far beyond the {table.Count:N0} interactions of the file; MMRec ids must be contiguous 0-based indices (re-index them, or load the file with DelimitedDatasetLoader, which maps string ids)."));
        }

        int userCount = maxUser + 1, itemCount = maxItem + 1;
        var modalities = LoadModalities(folder, options.Modalities, itemCount, interPath);
        return table.Build(name, IdMap.Sequential(userCount), IdMap.Sequential(itemCount), modalities);
    }

    /// <summary>The modality names present in <paramref name="folder"/> (from its <c>*_feat.npy</c> files), sorted.</summary>
    public static IReadOnlyList<string> FindModalities(string folder) =>
        Directory.EnumerateFiles(folder, "*_feat.npy")
            .Select(f => Path.GetFileName(f)[..^"_feat.npy".Length])
            .Where(n => n.Length > 0)
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static List<ItemModality> LoadModalities(string folder, IReadOnlyList<string>? names, int itemCount, string interPath)
    {
        if (names is null)
        {
            // A folder named like a feature file would otherwise be skipped without a word, and the user would
            // only learn later that the data set has no modality.
            RejectFolder(Directory.EnumerateDirectories(folder, "*_feat.npy").Order(StringComparer.Ordinal).FirstOrDefault(), FeatureFile);
        }

        var result = new List<ItemModality>();
        foreach (string modality in names ?? FindModalities(folder))
        {
            string path = Path.Combine(folder, modality + "_feat.npy");
            RejectFolder(Directory.Exists(path) ? path : null, FeatureFile);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"Modality '{modality}' was requested but {path} does not exist. Present: {string.Join(", ", FindModalities(folder))}.", path);
            }

            var m = NpyFile.ReadModality(path, modality);
            if (m.ItemCount != itemCount)
            {
                throw new DatasetConsistencyException(
                    $"{path} has {m.ItemCount} rows, but {interPath} names {itemCount} items (largest itemID + 1); feature rows must equal the item count, row i = item i.");
            }

            result.Add(m);
        }

        return result;
    }

    private static string FindInterFile(string folder, string? name)
    {
        if (name is not null)
        {
            string path = Path.Combine(folder, name + ".inter");
            RejectFolder(Directory.Exists(path) ? path : null, InteractionFile);
            return File.Exists(path) ? path : throw new FileNotFoundException($"Interaction file not found: {path}", path);
        }

        var files = Directory.GetFiles(folder, "*.inter");
        if (files.Length == 0)
        {
            RejectFolder(Directory.EnumerateDirectories(folder, "*.inter").Order(StringComparer.Ordinal).FirstOrDefault(), InteractionFile);
        }

        return files.Length switch
        {
            1 => files[0],
            0 => throw new FileNotFoundException($"The MMRec folder {folder} has no .inter file.", Path.Combine(folder, "*.inter")),
            _ => throw new FileNotFoundException(
                $"The MMRec folder {folder} has {files.Length} .inter files ({string.Join(", ", files.Select(Path.GetFileName))}); set MmrecLoadOptions.Name to choose one."),
        };
    }

    /// <summary>Names a folder that sits where the MMRec layout expects a file (null: nothing to reject).</summary>
    private static void RejectFolder(string? path, string expected)
    {
        if (path is not null)
        {
            throw new DataFormatException(path, null,
                $"a folder, not a file: the MMRec layout expects {expected} here; remove or rename the folder.");
        }
    }

    private static int Column(IReadOnlyList<string> header, string name, DelimitedLineReader reader)
    {
        for (int i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new DataFormatException(reader.Path, reader.LineNumber,
            $"the header has no '{name}' column; expected tab-separated 'userID itemID rating timestamp x_label', found '{string.Join("\\t", header)}'.");
    }

    private static int ParseId(string text, string column, DelimitedLineReader reader)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int id))
        {
            throw new DataFormatException(reader.Path, reader.LineNumber, $"{column} '{Shorten(text)}' is not an integer; MMRec ids are 0-based integers.");
        }

        if (id < 0)
        {
            throw new DataFormatException(reader.Path, reader.LineNumber, $"{column} {id} is negative; MMRec ids are 0-based integers.");
        }

        return id;
    }

    internal static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
