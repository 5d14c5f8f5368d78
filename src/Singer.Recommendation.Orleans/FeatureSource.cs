using Orleans;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// Where the silos read a feature matrix (one row per item or user): a <c>.npy</c> file on a volume every silo mounts
/// (<see cref="FromNpy"/>), or a matrix held by the caller that travels inside the work items (<see cref="FromModality"/>,
/// for tests and small catalogues). A work item carries only its own rows: a slice of the file's path and row range,
/// or a copy of the in-memory rows it needs.
/// </summary>
/// <remarks>The hierarchy is closed: the two factories are the only ways to make a source.</remarks>
[GenerateSerializer, Alias("Singer.FeatureSource")]
public abstract record FeatureSource
{
    private protected FeatureSource(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Any(c => !(char.IsLetterOrDigit(c) || c is '_' or '-' or '.')))
        {
            throw new ArgumentException($"Feature source name '{name}' may contain only letters, digits, '_', '-' and '.' (it names a modality).", nameof(name));
        }

        Name = name;
    }

    /// <summary>The modality name the features stand for (for example <c>text</c>); a graph built from them carries it.</summary>
    [Id(0)]
    public string Name { get; init; }

    /// <summary>
    /// A <c>.npy</c> file (2-D, float32 or float64, C order) that each silo reads by memory-mapping only the rows a work
    /// item needs. The path must be valid on the silos (a shared volume); a relative path is resolved against
    /// <c>SingerWorkerOptions.FeatureRoot</c> there. The caller's machine needs no access to it.
    /// </summary>
    /// <param name="path">The file's path as the silos see it.</param>
    /// <param name="name">The modality name; default: the file name without <c>_feat.npy</c> / <c>.npy</c> (MMRec's <c>text_feat.npy</c> → <c>text</c>).</param>
    public static NpyFeatureSource FromNpy(string path, string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (name is null)
        {
            string file = Path.GetFileName(path);
            name = file.EndsWith("_feat.npy", StringComparison.OrdinalIgnoreCase) ? file[..^"_feat.npy".Length]
                : file.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? file[..^".npy".Length]
                : file;
        }

        return new NpyFeatureSource(name, path, 0, null);
    }

    /// <summary>
    /// The features of <paramref name="modality"/>, copied; each work item carries a copy of the rows it needs (about
    /// <c>(rows + columns) · d · 4</c> bytes), so use it for tests and catalogues of a few hundred thousand values.
    /// </summary>
    public static InMemoryFeatureSource FromModality(ItemModality modality)
    {
        ArgumentNullException.ThrowIfNull(modality);
        return new InMemoryFeatureSource(modality.Name, 0, modality.ItemCount, modality.Dimension, modality.Values.ToArray());
    }

    /// <summary>The shape when the caller knows it without asking a silo (in-memory sources); null for files.</summary>
    internal abstract FeatureShape? KnownShape { get; }

    /// <summary>Rows <c>[start, start + count)</c> of this source, as a work item carries them.</summary>
    internal abstract FeatureSource Slice(int start, int count);

    /// <summary>Reads this source's rows on a silo (from the silo's cache when it holds them).</summary>
    /// <exception cref="FeatureSourceException">The file is missing, truncated, malformed, or lacks the rows.</exception>
    internal abstract ItemModality Read(SingerWorkerOptions options, FeatureSliceCache? cache, CancellationToken cancellationToken);

    /// <summary>Opens the source on a silo and returns its shape (the header only, for a file).</summary>
    internal abstract FeatureShape Describe(SingerWorkerOptions options);
}

/// <summary>A feature matrix in a <c>.npy</c> file that the silos memory-map; made by <see cref="FeatureSource.FromNpy"/>.</summary>
[GenerateSerializer, Alias("Singer.NpyFeatureSource")]
public sealed record NpyFeatureSource : FeatureSource
{
    internal NpyFeatureSource(string name, string path, int start, int? count)
        : base(name)
    {
        Path = path;
        Start = start;
        Count = count;
    }

    /// <summary>The file's path as the silos see it.</summary>
    [Id(0)]
    public string Path { get; init; }

    /// <summary>The first row this source covers (0 unless it is a work item's slice).</summary>
    [Id(1)]
    public int Start { get; init; }

    /// <summary>The rows this source covers; null: to the end of the file.</summary>
    [Id(2)]
    public int? Count { get; init; }

    internal override FeatureShape? KnownShape => null;

    internal override FeatureSource Slice(int start, int count) => this with { Start = Start + start, Count = count };

    internal override FeatureShape Describe(SingerWorkerOptions options)
    {
        var (rows, columns) = NpyRangeReader.ReadShape(options.Resolve(Path));
        return new FeatureShape(Count ?? (rows - Start), columns);
    }

    internal override ItemModality Read(SingerWorkerOptions options, FeatureSliceCache? cache, CancellationToken cancellationToken)
    {
        string path = options.Resolve(Path);
        ItemModality Load()
        {
            var (values, count, columns) = NpyRangeReader.ReadRows(path, Start, Count, cancellationToken);
            return NpyRangeReader.ToModality(Name, path, Start, count, columns, values);
        }

        return cache is null ? Load() : cache.GetOrRead(path, Start, Count, Load);
    }
}

/// <summary>A feature matrix held in memory and carried by the work items; made by <see cref="FeatureSource.FromModality"/>.</summary>
[GenerateSerializer, Alias("Singer.InMemoryFeatureSource")]
public sealed record InMemoryFeatureSource : FeatureSource
{
    internal InMemoryFeatureSource(string name, int start, int rowCount, int dimension, float[] values)
        : base(name)
    {
        Start = start;
        RowCount = rowCount;
        Dimension = dimension;
        Values = values;
    }

    /// <summary>The global index of the first row held (0 unless it is a work item's slice).</summary>
    [Id(0)]
    public int Start { get; init; }

    /// <summary>Rows held.</summary>
    [Id(1)]
    public int RowCount { get; init; }

    /// <summary>The feature dimension.</summary>
    [Id(2)]
    public int Dimension { get; init; }

    /// <summary>The rows, row-major (<see cref="RowCount"/> × <see cref="Dimension"/>).</summary>
    [Id(3)]
    internal float[] Values { get; init; }

    internal override FeatureShape? KnownShape => new(RowCount, Dimension);

    internal override FeatureSource Slice(int start, int count) =>
        new InMemoryFeatureSource(Name, Start + start, count, Dimension, Values.AsSpan(start * Dimension, count * Dimension).ToArray());

    internal override FeatureShape Describe(SingerWorkerOptions options) => new(RowCount, Dimension);

    internal override ItemModality Read(SingerWorkerOptions options, FeatureSliceCache? cache, CancellationToken cancellationToken)
    {
        if (Values is null || (long)RowCount * Dimension != Values.LongLength)
        {
            throw new FeatureSourceException(
                $"The in-memory features '{Name}' (rows from {Start}) hold {Values?.LongLength ?? 0} values, not {RowCount} × {Dimension}.");
        }

        return new ItemModality(Name, RowCount, Dimension, Values, takeOwnership: true);
    }
}

/// <summary>The shape of a feature matrix: rows and dimension.</summary>
/// <param name="Rows">Rows (items or users).</param>
/// <param name="Dimension">Values per row.</param>
[GenerateSerializer, Alias("Singer.FeatureShape")]
public readonly record struct FeatureShape([property: Id(0)] int Rows, [property: Id(1)] int Dimension);
