namespace Singer.Recommendation;

/// <summary>
/// One item modality: a name (for example <c>text</c> or <c>image</c>) and a dense <c>float</c> feature
/// matrix with one row per item, in the data set's internal item order. Immutable.
/// </summary>
public sealed class ItemModality
{
    private readonly float[] _data;

    /// <summary>Wraps a row-major feature matrix.</summary>
    /// <param name="name">The modality name; letters, digits, '_' , '-' and '.'.</param>
    /// <param name="itemCount">Rows: one per item.</param>
    /// <param name="dimension">Columns: the feature dimension <c>d_m</c>.</param>
    /// <param name="data">Row-major values, <c>itemCount × dimension</c> long. The array is copied unless
    /// <paramref name="takeOwnership"/> is true.</param>
    /// <param name="takeOwnership">Use <paramref name="data"/> without copying; the caller must not change it afterwards.</param>
    /// <exception cref="ArgumentException">The name is empty or the data length does not match, or a value is NaN or infinite.</exception>
    public ItemModality(string name, int itemCount, int dimension, float[] data, bool takeOwnership = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (name.Any(c => !(char.IsLetterOrDigit(c) || c is '_' or '-' or '.')))
        {
            throw new ArgumentException($"Modality name '{name}' may contain only letters, digits, '_', '-' and '.'.", nameof(name));
        }

        if ((long)itemCount * dimension != data.LongLength)
        {
            throw new ArgumentException(
                $"Modality '{name}': {data.LongLength} values do not form a {itemCount} × {dimension} matrix.", nameof(data));
        }

        for (long i = 0; i < data.LongLength; i++)
        {
            if (!float.IsFinite(data[i]))
            {
                throw new ArgumentException(
                    $"Modality '{name}': row {i / dimension}, column {i % dimension} is {data[i]}; features must be finite.", nameof(data));
            }
        }

        Name = name;
        ItemCount = itemCount;
        Dimension = dimension;
        _data = takeOwnership ? data : (float[])data.Clone();
    }

    /// <summary>The modality name.</summary>
    public string Name { get; }

    /// <summary>Number of rows (items).</summary>
    public int ItemCount { get; }

    /// <summary>Feature dimension <c>d_m</c>.</summary>
    public int Dimension { get; }

    /// <summary>All values, row-major.</summary>
    public ReadOnlySpan<float> Values => _data;

    /// <summary>The features of item <paramref name="item"/>.</summary>
    public ReadOnlySpan<float> Row(int item)
    {
        if ((uint)item >= (uint)ItemCount)
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, $"Item index must be in [0, {ItemCount}).");
        }

        return _data.AsSpan(item * Dimension, Dimension);
    }

    /// <summary>The same features under another name.</summary>
    public ItemModality WithName(string name) => new(name, ItemCount, Dimension, _data, takeOwnership: true);

    /// <summary>The underlying array, for code in this library that promises not to change it.</summary>
    internal float[] UnsafeArray => _data;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({ItemCount} × {Dimension})";
}
