namespace Singer.Recommendation.Core;

/// <summary>
/// The running top-k of many rows: for each row at most k (column, value) entries, kept in a heap whose root is the
/// worst kept entry. The order is the library's tie rule — value descending, then column ascending — and only values
/// strictly above <see cref="Floor"/> enter. <see cref="BlockedTopK"/> fills it from blocked products; partial results
/// over disjoint column ranges (shards) combine exactly with <see cref="Merge"/>.
/// </summary>
/// <remarks>
/// Rows are independent: different rows may be filled from different threads at once, one row by one thread at a
/// time. Memory: <c>rows × k</c> floats and ints.
/// </remarks>
public sealed class TopKAccumulator
{
    private readonly float[] _values;
    private readonly int[] _columns;
    private readonly int[] _counts;

    /// <summary>Creates an empty accumulator of <paramref name="rows"/> rows keeping <paramref name="k"/> entries each.</summary>
    /// <param name="rows">The number of rows (≥ 0).</param>
    /// <param name="k">Entries per row (≥ 1).</param>
    /// <param name="floor">Only values strictly above it enter: −∞ (the default) keeps every finite value; the kNN graph uses 0 for cosine weights.</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative row count, k &lt; 1, or rows × k larger than an array can hold.</exception>
    /// <exception cref="ArgumentException">The floor is NaN.</exception>
    public TopKAccumulator(int rows, int k, float floor = float.NegativeInfinity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (float.IsNaN(floor))
        {
            throw new ArgumentException("The floor must be a number (−∞ keeps every finite value).", nameof(floor));
        }

        if ((long)rows * k > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"{rows:N0} rows × k = {k} exceeds the largest array; use a smaller k or fewer rows per accumulator.");
        }

        Rows = rows;
        K = k;
        Floor = floor;
        _values = new float[rows * k];
        _columns = new int[rows * k];
        _counts = new int[rows];
    }

    /// <summary>The number of rows.</summary>
    public int Rows { get; }

    /// <summary>The entries kept per row.</summary>
    public int K { get; }

    /// <summary>Only values strictly above the floor enter.</summary>
    public float Floor { get; }

    /// <summary>The number of entries row <paramref name="row"/> holds (≤ <see cref="K"/>).</summary>
    public int Count(int row) => _counts[row];

    /// <summary>
    /// The value a new entry of row <paramref name="row"/> must exceed to enter when it comes after every column
    /// offered so far: the worst kept value once the row is full, else the floor.
    /// </summary>
    public float Threshold(int row) => _counts[row] == K ? _values[row * K] : Floor;

    /// <summary>
    /// Offers one entry to a row; it enters when it is above the floor and ranks above the row's worst kept entry (a
    /// higher value, or an equal value at a lower column). NaN never enters. Any column order gives the same result.
    /// </summary>
    public void Offer(int row, float value, int column)
    {
        int count = _counts[row];
        RowTopK.OfferAnyOrder(value, column, K, Floor, ValueSlots(row), ColumnSlots(row), ref count);
        _counts[row] = count;
    }

    /// <summary>
    /// Offers a run of consecutive columns to a row, <c>values[j]</c> for column <c>firstColumn + j</c>, in one
    /// vectorised pass. Runs for one row must come in increasing column order (that is what sends ties to the lower
    /// column); use <see cref="Offer"/> or <see cref="Merge"/> otherwise. −∞ and NaN never enter.
    /// </summary>
    public void OfferRun(int row, ReadOnlySpan<float> values, int firstColumn) =>
        _counts[row] = RowTopK.Scan(values, firstColumn, K, Floor, ValueSlots(row), ColumnSlots(row), _counts[row]);

    /// <summary>
    /// Merges another accumulator's rows into this one's (same row count and k): the result is the top k of both
    /// lists by the tie rule, exactly as if one accumulator had seen every column. This is how partial results over
    /// disjoint column ranges (for example the shards of a cluster) combine.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Merge(TopKAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Rows != Rows || other.K != K)
        {
            throw new ArgumentException($"Cannot merge a {other.Rows} × {other.K} accumulator into a {Rows} × {K} one; the shapes must match.", nameof(other));
        }

        for (int r = 0; r < Rows; r++)
        {
            var values = other.ValueSlots(r);
            var columns = other.ColumnSlots(r);
            for (int j = 0; j < other._counts[r]; j++)
            {
                Offer(r, values[j], columns[j]);
            }
        }
    }

    /// <summary>Row <paramref name="row"/>'s entries, best first (value descending, then column ascending).</summary>
    public ScoredIndex[] Sorted(int row)
    {
        int count = _counts[row];
        var values = new float[count];
        var columns = new int[count];
        ValueSlots(row)[..count].CopyTo(values);
        ColumnSlots(row)[..count].CopyTo(columns);
        RowTopK.SortBestFirst(values, columns, count);
        var result = new ScoredIndex[count];
        for (int j = 0; j < count; j++)
        {
            result[j] = new ScoredIndex(columns[j], values[j]);
        }

        return result;
    }

    /// <summary>Every row's entries, best first.</summary>
    public ScoredIndex[][] SortedRows()
    {
        var rows = new ScoredIndex[Rows][];
        for (int r = 0; r < Rows; r++)
        {
            rows[r] = Sorted(r);
        }

        return rows;
    }

    /// <summary>
    /// Copies row <paramref name="row"/>'s entries, in no particular order, into the given spans; returns how many
    /// (the spans must hold <see cref="Count"/> entries).
    /// </summary>
    public int CopyRow(int row, Span<float> values, Span<int> columns)
    {
        int count = _counts[row];
        ValueSlots(row)[..count].CopyTo(values);
        ColumnSlots(row)[..count].CopyTo(columns);
        return count;
    }

    /// <summary>
    /// Replaces row <paramref name="row"/>'s entries with the given ones (at most <see cref="K"/>, any order), for a
    /// selection made elsewhere (the CUDA kNN path orders its candidates on the host); later offers continue from them.
    /// </summary>
    /// <exception cref="ArgumentException">More than k entries, or spans of different lengths.</exception>
    public void SetRow(int row, ReadOnlySpan<float> values, ReadOnlySpan<int> columns)
    {
        if (values.Length != columns.Length || values.Length > K)
        {
            throw new ArgumentException($"A row holds at most k = {K} entries, with one column per value; got {values.Length} values and {columns.Length} columns.", nameof(values));
        }

        var v = ValueSlots(row);
        var c = ColumnSlots(row);
        values.CopyTo(v);
        columns.CopyTo(c);
        RowTopK.Heapify(v, c, values.Length);
        _counts[row] = values.Length;
    }

    /// <summary>Empties every row.</summary>
    public void Clear() => Array.Clear(_counts);

    internal Span<float> ValueSlots(int row) => _values.AsSpan(row * K, K);

    internal Span<int> ColumnSlots(int row) => _columns.AsSpan(row * K, K);

}
