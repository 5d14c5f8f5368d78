using System.Globalization;
using System.Text;

namespace Singer.Recommendation.Graphs;

/// <summary>One entry where two graphs differ; a null value means the entry is absent from that graph.</summary>
/// <param name="Row">The row.</param>
/// <param name="Column">The column.</param>
/// <param name="Expected">The expected graph's value, or null when it has no entry there.</param>
/// <param name="Actual">The actual graph's value, or null when it has no entry there.</param>
public readonly record struct GraphEntryDifference(int Row, int Column, float? Expected, float? Actual)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"({Row}, {Column}): expected {(Expected is { } e ? e.ToString("R", CultureInfo.InvariantCulture) : "no entry")}, actual {(Actual is { } a ? a.ToString("R", CultureInfo.InvariantCulture) : "no entry")}");
}

/// <summary>The result of <see cref="SparseGraph.Compare"/>: how two graphs differ, for test assertions and messages.</summary>
public sealed class GraphDifference
{
    private const int ShownDifferences = 20;

    internal GraphDifference(
        SparseGraph expected,
        SparseGraph actual,
        float tolerance,
        bool shapesMatch,
        int missing,
        int extra,
        int mismatched,
        float maxDifference,
        IReadOnlyList<GraphEntryDifference> differences)
    {
        ExpectedShape = (expected.RowCount, expected.ColumnCount);
        ActualShape = (actual.RowCount, actual.ColumnCount);
        Tolerance = tolerance;
        ShapesMatch = shapesMatch;
        MissingEntries = missing;
        ExtraEntries = extra;
        ValueMismatches = mismatched;
        MaxAbsoluteDifference = maxDifference;
        Differences = differences;
    }

    internal static GraphDifference ForShapes(SparseGraph expected, SparseGraph actual, float tolerance) =>
        new(expected, actual, tolerance, false, 0, 0, 0, float.PositiveInfinity, []);

    /// <summary>The expected graph's shape.</summary>
    public (int Rows, int Columns) ExpectedShape { get; }

    /// <summary>The actual graph's shape.</summary>
    public (int Rows, int Columns) ActualShape { get; }

    /// <summary>The absolute tolerance the values were compared with.</summary>
    public float Tolerance { get; }

    /// <summary>Whether both graphs have the same shape (nothing else is compared when they do not).</summary>
    public bool ShapesMatch { get; }

    /// <summary>Entries of the expected graph that the actual graph lacks.</summary>
    public int MissingEntries { get; }

    /// <summary>Entries of the actual graph that the expected graph lacks.</summary>
    public int ExtraEntries { get; }

    /// <summary>Entries of both whose values differ by more than <see cref="Tolerance"/>.</summary>
    public int ValueMismatches { get; }

    /// <summary>The largest absolute value difference over the entries both graphs have.</summary>
    public float MaxAbsoluteDifference { get; }

    /// <summary>Every differing entry, row-major.</summary>
    public IReadOnlyList<GraphEntryDifference> Differences { get; }

    /// <summary>True when the graphs have the same shape, the same entries and values within the tolerance.</summary>
    public bool IsEmpty => ShapesMatch && Differences.Count == 0;

    /// <inheritdoc />
    public override string ToString()
    {
        if (!ShapesMatch)
        {
            return $"Shapes differ: expected {ExpectedShape.Rows} × {ExpectedShape.Columns}, actual {ActualShape.Rows} × {ActualShape.Columns}.";
        }

        if (IsEmpty)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"Graphs equal within {Tolerance:G3} (max |difference| {MaxAbsoluteDifference:G3}).");
        }

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture,
            $"{MissingEntries} missing, {ExtraEntries} extra, {ValueMismatches} values off by more than {Tolerance:G3} (max |difference| {MaxAbsoluteDifference:G3}); first differences:");
        foreach (var d in Differences.Take(ShownDifferences))
        {
            sb.AppendLine().Append("  ").Append(d);
        }

        if (Differences.Count > ShownDifferences)
        {
            sb.AppendLine().Append(CultureInfo.InvariantCulture, $"  … and {Differences.Count - ShownDifferences} more.");
        }

        return sb.ToString();
    }
}
