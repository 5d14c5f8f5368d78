using Singer.Recommendation.Core;
using static TorchSharp.torch;

namespace Singer.Recommendation.Graphs;

/// <summary>Options of <see cref="ContentKnnScorer"/>.</summary>
public sealed record ContentKnnOptions
{
    /// <summary>Neighbours kept per item, <c>k</c>; default 50. Must be ≥ 1 and &lt; the item count.</summary>
    public int K { get; init; } = 50;

    /// <summary>The modalities to use, by name; null (the default) uses every modality of the data set.</summary>
    public IReadOnlyList<string>? Modalities { get; init; }

    /// <summary>Memory for one block of similarities while the neighbour lists are built; default 256 MiB.</summary>
    public long MemoryBudgetBytes { get; init; } = Defaults.MemoryBudgetBytes;
}

/// <summary>
/// The content-based item-kNN baseline (MMRec's ItemKNNCBF): each of a user's training items votes for its <c>k</c>
/// most similar items by content, with its cosine: <c>score(u, i) = Σ_{j ∈ N_u} s_ji</c>, where <c>s_ji</c> is the
/// cosine of <c>j</c>'s and <c>i</c>'s features if <c>i</c> is among <c>j</c>'s top-<c>k</c> (else 0). With several
/// modalities the cosine is the mean of the per-modality cosines (each modality's rows L2-normalised, scaled by
/// <c>1/√M</c> and concatenated). It needs no training and ranks items that have no interactions at all, so it is the
/// natural baseline for cold-start items, where popularity carries no information.
/// </summary>
public sealed class ContentKnnScorer : IRankingScorer
{
    private readonly UserItemMatrix _train;
    private readonly SparseGraph _neighbours;

    /// <summary>Builds the neighbour lists of every item of <paramref name="dataset"/> from its features.</summary>
    /// <param name="dataset">The data set: its training interactions are the votes, its modalities the content.</param>
    /// <param name="options">The options; null takes the defaults.</param>
    /// <param name="device">The device of the returned scores; default CPU (the votes are summed on the CPU).</param>
    /// <exception cref="ArgumentException">The data set has no modality, a named modality is missing, or <c>k</c> is out of range (every problem is listed).</exception>
    public ContentKnnScorer(InteractionDataset dataset, ContentKnnOptions? options = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new ContentKnnOptions();
        Device = device ?? CPU;
        ItemCount = dataset.ItemCount;
        _train = dataset.Train;
        var names = options.Modalities ?? dataset.Modalities.Select(m => m.Name).ToArray();
        var problems = new ProblemList();
        problems.AddIf(names.Count == 0, nameof(dataset), $"the content-kNN baseline needs item features, but data set '{dataset.Name}' has no modality.");
        problems.AddIf(options.K < 1 || options.K >= dataset.ItemCount, $"{nameof(ContentKnnOptions)}.{nameof(ContentKnnOptions.K)}",
            $"must be ≥ 1 and < the item count ({dataset.ItemCount}); got {options.K}.");
        foreach (string n in names.Where(n => !dataset.Modalities.Any(m => m.Name == n)))
        {
            problems.Add($"{nameof(ContentKnnOptions)}.{nameof(ContentKnnOptions.Modalities)}",
                $"'{n}' is not a modality of data set '{dataset.Name}' (it has: {(dataset.Modalities.Count == 0 ? "none" : string.Join(", ", dataset.Modalities.Select(m => m.Name)))}).");
        }

        problems.ThrowIfAny(nameof(ContentKnnOptions));

        var modalities = names.Select(n => dataset.Modalities.First(m => m.Name == n)).ToArray();
        var content = Concatenate(modalities, dataset.ItemCount);
        _neighbours = KnnSimilarityGraph.Build(content, new KnnGraphOptions { K = options.K, MemoryBudgetBytes = options.MemoryBudgetBytes });
    }

    /// <inheritdoc />
    public int ItemCount { get; }

    /// <inheritdoc />
    public Device Device { get; }

    /// <summary>Each item's top-<c>k</c> content neighbours with their cosines (row j: the items j votes for).</summary>
    public SparseGraph Neighbours => _neighbours;

    /// <inheritdoc />
    public Tensor ScoreUsers(Tensor users)
    {
        ArgumentNullException.ThrowIfNull(users);
        using var cpuUsers = users.cpu();
        var ids = cpuUsers.to_type(ScalarType.Int64).data<long>().ToArray();
        int items = ItemCount;
        var scores = new float[ids.Length * (long)items];
        var offsets = _neighbours.RowOffsets;
        var columns = _neighbours.ColumnIndices;
        var values = _neighbours.Values;
        for (int r = 0; r < ids.Length; r++)
        {
            var row = scores.AsSpan(r * items, items);
            foreach (int j in _train.ItemsOf((int)ids[r]))
            {
                for (int p = offsets[j]; p < offsets[j + 1]; p++)
                {
                    row[columns[p]] += values[p];
                }
            }
        }

        using var cpu = tensor(scores, new long[] { ids.Length, items });
        return Device.type == TorchSharp.DeviceType.CPU ? cpu.clone() : cpu.to(Device);
    }

    /// <summary>Row-normalised modalities side by side, each scaled by 1/√M, so that a dot product is the mean cosine.</summary>
    private static ItemModality Concatenate(ItemModality[] modalities, int items)
    {
        int width = modalities.Sum(m => m.Dimension);
        var data = new float[(long)items * width];
        double scale = 1.0 / Math.Sqrt(modalities.Length);
        for (int i = 0; i < items; i++)
        {
            int offset = 0;
            foreach (var m in modalities)
            {
                var row = m.Row(i);
                double norm = 0;
                foreach (float v in row)
                {
                    norm += (double)v * v;
                }

                double factor = norm > 0 ? scale / Math.Sqrt(norm) : 0;
                var target = data.AsSpan((i * width) + offset, m.Dimension);
                for (int c = 0; c < row.Length; c++)
                {
                    target[c] = (float)(row[c] * factor);
                }

                offset += m.Dimension;
            }
        }

        return new ItemModality("content", items, width, data, takeOwnership: true);
    }
}
