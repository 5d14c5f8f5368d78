namespace Singer.Recommendation.Core;

/// <summary>
/// The columns each row of a <see cref="BlockedTopK"/> product must never select: a user's seen items, or an item
/// itself in an item × item graph. Rows are the rows of the <see cref="TopKAccumulator"/>; columns are global column
/// indices (whatever column range a call covers).
/// </summary>
public sealed class ColumnExclusions
{
    private readonly int[]? _offsets;
    private readonly int[]? _columns;
    private readonly int _diagonalOffset;

    private ColumnExclusions(int[]? offsets, int[]? columns, int diagonalOffset)
    {
        _offsets = offsets;
        _columns = columns;
        _diagonalOffset = diagonalOffset;
    }

    /// <summary>Accumulator row <c>r</c> excludes column <c>r + offset</c> (an item × item graph without self-edges).</summary>
    /// <param name="offset">The global column of accumulator row 0 (the first item of the rows covered).</param>
    public static ColumnExclusions Diagonal(int offset = 0) => new(null, null, offset);

    /// <summary>
    /// Row <c>r</c> excludes <c>columns[offsets[r] .. offsets[r + 1])</c>, sorted ascending (compressed sparse rows,
    /// as <see cref="UserItemMatrix"/> stores a user's items).
    /// </summary>
    /// <param name="offsets">Row starts, one more than the rows, non-decreasing, starting at 0.</param>
    /// <param name="columns">The excluded columns, ascending within a row.</param>
    /// <exception cref="ArgumentException">The offsets are not a valid row index, or a row is not sorted.</exception>
    public static ColumnExclusions FromSortedRows(int[] offsets, int[] columns)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(columns);
        if (offsets.Length == 0 || offsets[0] != 0 || offsets[^1] != columns.Length)
        {
            throw new ArgumentException($"The offsets must start at 0 and end at the column count ({columns.Length}).", nameof(offsets));
        }

        for (int r = 0; r + 1 < offsets.Length; r++)
        {
            if (offsets[r + 1] < offsets[r])
            {
                throw new ArgumentException($"Offset {r + 1} ({offsets[r + 1]}) is below offset {r} ({offsets[r]}); offsets must not decrease.", nameof(offsets));
            }

            for (int p = offsets[r] + 1; p < offsets[r + 1]; p++)
            {
                if (columns[p] < columns[p - 1])
                {
                    throw new ArgumentException($"Row {r}'s excluded columns are not sorted ascending (column {columns[p]} after {columns[p - 1]}).", nameof(columns));
                }
            }
        }

        return new ColumnExclusions(offsets, columns, 0);
    }

    /// <summary>The rows of a user × item matrix, in the order given (a batch of users): each excludes that user's items.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A user index is outside the matrix.</exception>
    public static ColumnExclusions ForUsers(UserItemMatrix matrix, IReadOnlyList<int> users)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(users);
        var offsets = new int[users.Count + 1];
        for (int r = 0; r < users.Count; r++)
        {
            if ((uint)users[r] >= (uint)matrix.UserCount)
            {
                throw new ArgumentOutOfRangeException(nameof(users), users[r], $"User index must be in [0, {matrix.UserCount}).");
            }

            offsets[r + 1] = offsets[r] + matrix.CountOf(users[r]);
        }

        var columns = new int[offsets[^1]];
        for (int r = 0; r < users.Count; r++)
        {
            matrix.ItemsOf(users[r]).CopyTo(columns.AsSpan(offsets[r]));
        }

        return new ColumnExclusions(offsets, columns, 0);
    }

    /// <summary>The number of rows the lists cover (null for a diagonal exclusion, which covers any row).</summary>
    public int? RowCount => _offsets is null ? null : _offsets.Length - 1;

    /// <summary>Writes −∞ into <paramref name="tile"/> (row <paramref name="row"/>'s values for columns <c>[first, first + tile.Length)</c>) at the excluded columns.</summary>
    internal void Mask(int row, Span<float> tile, int first)
    {
        int end = first + tile.Length;
        if (_offsets is null)
        {
            int column = row + _diagonalOffset;
            if (column >= first && column < end)
            {
                tile[column - first] = float.NegativeInfinity;
            }

            return;
        }

        if (row + 1 >= _offsets.Length)
        {
            return;
        }

        var excluded = _columns.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);
        if (excluded.IsEmpty || excluded[^1] < first || excluded[0] >= end)
        {
            return;
        }

        int p = excluded.BinarySearch(first);
        for (p = p < 0 ? ~p : p; p < excluded.Length && excluded[p] < end; p++)
        {
            tile[excluded[p] - first] = float.NegativeInfinity;
        }
    }
}
