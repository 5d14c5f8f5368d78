using System.Globalization;

namespace Singer.Recommendation;

/// <summary>Options of <see cref="DelimitedDatasetLoader"/>. Every column is found by its header name.</summary>
public sealed record DelimitedLoadOptions
{
    /// <summary>The field separator. Null (the default) takes a tab for <c>.tsv</c>/<c>.inter</c> files and a comma otherwise.</summary>
    public char? Separator { get; init; }

    /// <summary>The user id column; default <c>user</c>. Ids are arbitrary strings.</summary>
    public string UserColumn { get; init; } = "user";

    /// <summary>The item id column; default <c>item</c>. Ids are arbitrary strings.</summary>
    public string ItemColumn { get; init; } = "item";

    /// <summary>An optional rating column; with <see cref="MinRating"/>, rows below it are dropped. Default none.</summary>
    public string? RatingColumn { get; init; }

    /// <summary>Keep only rows whose rating is at least this (needs <see cref="RatingColumn"/>). Default none (keep all).</summary>
    public double? MinRating { get; init; }

    /// <summary>An optional timestamp column; it must hold numbers when given. Default none.</summary>
    public string? TimestampColumn { get; init; }

    /// <summary>
    /// An optional split label column. When given, each row's split is read from it (see <see cref="SplitLabels"/>);
    /// when null (the default), the data is split by <see cref="DatasetSplitter"/> with <see cref="SplitSeed"/>.
    /// </summary>
    public string? SplitColumn { get; init; }

    /// <summary>Split labels, compared case-insensitively. Default: <c>0</c>/<c>train</c>, <c>1</c>/<c>valid</c>/<c>validation</c>, <c>2</c>/<c>test</c>.</summary>
    public IReadOnlyDictionary<string, DataSplit> SplitLabels { get; init; } = DefaultSplitLabels;

    /// <summary>The splitter's seed when there is no split column; default 42, as <see cref="DatasetSplitter.Assign"/>.</summary>
    public int SplitSeed { get; init; } = Defaults.SplitSeed;

    /// <summary>What to do with a repeated (user, item) pair; default <see cref="DuplicateInteractionPolicy.Reject"/>.</summary>
    public DuplicateInteractionPolicy Duplicates { get; init; } = DuplicateInteractionPolicy.Reject;

    /// <summary>The data set's name; null (the default) takes the file name without extension.</summary>
    public string? Name { get; init; }

    private static readonly Dictionary<string, DataSplit> DefaultSplitLabels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["0"] = DataSplit.Train,
        ["train"] = DataSplit.Train,
        ["1"] = DataSplit.Validation,
        ["valid"] = DataSplit.Validation,
        ["validation"] = DataSplit.Validation,
        ["2"] = DataSplit.Test,
        ["test"] = DataSplit.Test,
    };
}

/// <summary>
/// Loads interactions from a CSV or TSV file with a header row and string ids. Internal indices are given in
/// order of first appearance; the split comes from a label column or from <see cref="DatasetSplitter"/>.
/// Item modalities are added afterwards with <see cref="InteractionDataset.WithModality(ItemModality)"/>
/// (rows in <see cref="InteractionDataset.Items"/> order).
/// </summary>
public static class DelimitedDatasetLoader
{
    /// <summary>Loads <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The header lacks a column, or a line is malformed (the message names the line).</exception>
    /// <exception cref="ArgumentException">The options are inconsistent.</exception>
    public static InteractionDataset Load(string path, DelimitedLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new DelimitedLoadOptions();
        if (options.MinRating is not null && options.RatingColumn is null)
        {
            throw new ArgumentException($"{nameof(DelimitedLoadOptions.MinRating)} needs {nameof(DelimitedLoadOptions.RatingColumn)}.", nameof(options));
        }

        char separator = options.Separator
            ?? (Path.GetExtension(path).ToUpperInvariant() is ".TSV" or ".INTER" or ".TXT" ? '\t' : ',');
        var labels = new Dictionary<string, DataSplit>(options.SplitLabels, StringComparer.OrdinalIgnoreCase);
        var userIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var itemIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var userList = new List<string>();
        var itemList = new List<string>();
        var table = new InteractionTable(path, options.Duplicates);
        int belowMinRating = 0;

        using (var reader = new DelimitedLineReader(path, separator))
        {
            if (!reader.TryRead(out var header))
            {
                throw new DataFormatException(path, null, "the file is empty; expected a header row naming the columns.");
            }

            var columns = header.ToArray();
            int userCol = Column(columns, options.UserColumn, nameof(options.UserColumn), reader, separator);
            int itemCol = Column(columns, options.ItemColumn, nameof(options.ItemColumn), reader, separator);
            int ratingCol = options.RatingColumn is null ? -1 : Column(columns, options.RatingColumn, nameof(options.RatingColumn), reader, separator);
            int timeCol = options.TimestampColumn is null ? -1 : Column(columns, options.TimestampColumn, nameof(options.TimestampColumn), reader, separator);
            int splitCol = options.SplitColumn is null ? -1 : Column(columns, options.SplitColumn, nameof(options.SplitColumn), reader, separator);
            int needed = new[] { userCol, itemCol, ratingCol, timeCol, splitCol }.Max() + 1;

            while (reader.TryRead(out var fields))
            {
                if (fields.Count < needed)
                {
                    throw new DataFormatException(path, reader.LineNumber,
                        $"expected {columns.Length} fields separated by '{Printable(separator)}', found {fields.Count}.");
                }

                string user = fields[userCol], item = fields[itemCol];
                if (user.Length == 0 || item.Length == 0)
                {
                    throw new DataFormatException(path, reader.LineNumber, $"the {(user.Length == 0 ? options.UserColumn : options.ItemColumn)} field is empty.");
                }

                if (ratingCol >= 0)
                {
                    double rating = ParseNumber(fields[ratingCol], options.RatingColumn!, reader);
                    if (options.MinRating is { } min && rating < min)
                    {
                        belowMinRating++;
                        continue;
                    }
                }

                if (timeCol >= 0)
                {
                    ParseNumber(fields[timeCol], options.TimestampColumn!, reader);
                }

                DataSplit? split = null;
                if (splitCol >= 0)
                {
                    if (!labels.TryGetValue(fields[splitCol], out var s))
                    {
                        throw new DataFormatException(path, reader.LineNumber,
                            $"split label '{MmrecDatasetLoader.Shorten(fields[splitCol])}' in column '{options.SplitColumn}' is unknown; known labels: {string.Join(", ", labels.Keys)}.");
                    }

                    split = s;
                }

                if (!userIds.TryGetValue(user, out int u))
                {
                    u = userIds[user] = userList.Count;
                    userList.Add(user);
                }

                if (!itemIds.TryGetValue(item, out int i))
                {
                    i = itemIds[item] = itemList.Count;
                    itemList.Add(item);
                }

                table.Add(u, i, split, reader.LineNumber);
            }
        }

        if (table.Count == 0)
        {
            throw new DataFormatException(path, null, belowMinRating == 0
                ? "the file has no interactions after its header."
                : string.Create(CultureInfo.InvariantCulture, $"no interactions are left: all {belowMinRating} rows have {options.RatingColumn} below {nameof(DelimitedLoadOptions.MinRating)} {options.MinRating}."));
        }

        if (options.SplitColumn is null)
        {
            table.AssignSplits(userList.Count, options.SplitSeed);
        }

        return table.Build(options.Name ?? Path.GetFileNameWithoutExtension(path), new IdMap(userList), new IdMap(itemList), []);
    }

    private static int Column(string[] header, string name, string option, DelimitedLineReader reader, char separator)
    {
        int i = Array.IndexOf(header, name);
        if (i < 0)
        {
            throw new DataFormatException(reader.Path, reader.LineNumber,
                $"the header has no column '{name}' ({option}); columns separated by '{Printable(separator)}': {string.Join(", ", header.Select(h => $"'{h}'"))}.");
        }

        return i;
    }

    private static double ParseNumber(string text, string column, DelimitedLineReader reader)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
        {
            throw new DataFormatException(reader.Path, reader.LineNumber, $"{column} '{MmrecDatasetLoader.Shorten(text)}' is not a number.");
        }

        return v;
    }

    private static string Printable(char c) => c switch { '\t' => "\\t", _ => c.ToString() };
}
