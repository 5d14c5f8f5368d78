using System.Globalization;
using System.Text;

namespace Singer.Recommendation;

/// <summary>
/// A recommendation data set: users × items with contiguous internal indices, the external id maps, the
/// train / validation / test interactions, and named item modalities. Immutable; the <c>With…</c> methods
/// return new data sets that share the unchanged parts.
/// </summary>
/// <remarks>
/// Only <see cref="Train"/> enters graphs, losses and popularity; validation and test interactions are for
/// evaluation (the MMRec protocol, <c>docs/data.md</c>).
/// </remarks>
public sealed class InteractionDataset
{
    private readonly ItemModality[] _modalities;
    private readonly int[] _popularity;

    /// <summary>Creates a data set and checks that every part has the same users, items and item rows.</summary>
    /// <exception cref="ArgumentException">A part disagrees with the id maps, or two modalities share a name.</exception>
    public InteractionDataset(
        string name,
        IdMap users,
        IdMap items,
        UserItemMatrix train,
        UserItemMatrix validation,
        UserItemMatrix test,
        IEnumerable<ItemModality>? modalities = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        foreach (var (part, label) in new[] { (train, "train"), (validation, "validation"), (test, "test") })
        {
            if (part.UserCount != users.Count || part.ItemCount != items.Count)
            {
                throw new ArgumentException(
                    $"The {label} matrix is {part.UserCount} × {part.ItemCount}, but the data set has {users.Count} users and {items.Count} items.");
            }
        }

        _modalities = modalities?.ToArray() ?? [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in _modalities)
        {
            ArgumentNullException.ThrowIfNull(m, nameof(modalities));
            if (m.ItemCount != items.Count)
            {
                throw new ArgumentException(
                    $"Modality '{m.Name}' has {m.ItemCount} rows, but the data set has {items.Count} items; feature rows must equal the item count.",
                    nameof(modalities));
            }

            if (!names.Add(m.Name))
            {
                throw new ArgumentException($"Two modalities are named '{m.Name}'.", nameof(modalities));
            }
        }

        Name = name;
        Users = users;
        Items = items;
        Train = train;
        Validation = validation;
        Test = test;
        _popularity = train.ItemDegrees();
    }

    /// <summary>The data set's name (for MMRec folders, the <c>.inter</c> file's stem).</summary>
    public string Name { get; }

    /// <summary>Number of users.</summary>
    public int UserCount => Users.Count;

    /// <summary>Number of items.</summary>
    public int ItemCount => Items.Count;

    /// <summary>External user ids ↔ internal indices.</summary>
    public IdMap Users { get; }

    /// <summary>External item ids ↔ internal indices.</summary>
    public IdMap Items { get; }

    /// <summary>Training interactions, per user (CSR).</summary>
    public UserItemMatrix Train { get; }

    /// <summary>Validation interactions, per user (CSR).</summary>
    public UserItemMatrix Validation { get; }

    /// <summary>Test interactions, per user (CSR).</summary>
    public UserItemMatrix Test { get; }

    /// <summary>The item modalities, in load order.</summary>
    public IReadOnlyList<ItemModality> Modalities => _modalities;

    /// <summary>Training popularity: the number of training users of each item.</summary>
    public ReadOnlySpan<int> ItemPopularity => _popularity;

    /// <summary>The interactions of <paramref name="split"/>.</summary>
    public UserItemMatrix GetSplit(DataSplit split) => split switch
    {
        DataSplit.Train => Train,
        DataSplit.Validation => Validation,
        DataSplit.Test => Test,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split."),
    };

    /// <summary>The modality named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No modality has that name; the message lists the names there are.</exception>
    public ItemModality GetModality(string name) =>
        _modalities.FirstOrDefault(m => m.Name == name)
        ?? throw new KeyNotFoundException(
            $"Data set '{Name}' has no modality '{name}'. Modalities: {(_modalities.Length == 0 ? "none" : string.Join(", ", _modalities.Select(m => m.Name)))}.");

    /// <summary>A data set with <paramref name="modality"/> added (or replacing the one of the same name).</summary>
    public InteractionDataset WithModality(ItemModality modality)
    {
        ArgumentNullException.ThrowIfNull(modality);
        return WithModalities(_modalities.Where(m => m.Name != modality.Name).Append(modality));
    }

    /// <summary>A data set with exactly <paramref name="modalities"/>.</summary>
    public InteractionDataset WithModalities(IEnumerable<ItemModality> modalities) =>
        new(Name, Users, Items, Train, Validation, Test, modalities);

    /// <summary>A data set that keeps only the named modalities, in the given order.</summary>
    public InteractionDataset SelectModalities(params string[] names) => WithModalities(names.Select(GetModality));

    /// <summary>A data set with other training interactions (for example with cold-start items removed).</summary>
    public InteractionDataset WithTrain(UserItemMatrix train) => new(Name, Users, Items, train, Validation, Test, _modalities);

    /// <summary>The number of interactions in each split and the density of the training matrix.</summary>
    public DatasetSummary Summarize() => new(
        Name,
        UserCount,
        ItemCount,
        Train.Count,
        Validation.Count,
        Test.Count,
        _modalities.Select(m => (m.Name, m.Dimension)).ToArray());

    /// <inheritdoc />
    public override string ToString() => Summarize().ToString();
}

/// <summary>Counts that describe a data set (printed by the samples and the CLI).</summary>
/// <param name="Name">The data set's name.</param>
/// <param name="Users">Number of users.</param>
/// <param name="Items">Number of items.</param>
/// <param name="TrainInteractions">Training interactions.</param>
/// <param name="ValidationInteractions">Validation interactions.</param>
/// <param name="TestInteractions">Test interactions.</param>
/// <param name="Modalities">Name and dimension of each modality.</param>
public sealed record DatasetSummary(
    string Name,
    int Users,
    int Items,
    int TrainInteractions,
    int ValidationInteractions,
    int TestInteractions,
    IReadOnlyList<(string Name, int Dimension)> Modalities)
{
    /// <summary>Share of the user × item matrix that holds an interaction, over all splits.</summary>
    public double Density => Users == 0 || Items == 0
        ? 0
        : (double)(TrainInteractions + ValidationInteractions + TestInteractions) / ((double)Users * Items);

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"{Name}: {Users:N0} users × {Items:N0} items; {TrainInteractions:N0} / {ValidationInteractions:N0} / {TestInteractions:N0} train / validation / test interactions; density {Density:P2}");
        sb.Append("; modalities: ");
        sb.Append(Modalities.Count == 0 ? "none" : string.Join(", ", Modalities.Select(m => $"{m.Name} ({m.Dimension}-d)")));
        return sb.ToString();
    }
}
