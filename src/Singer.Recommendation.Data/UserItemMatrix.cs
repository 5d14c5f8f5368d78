namespace Singer.Recommendation;

/// <summary>
/// The interactions of one split as a binary user × item matrix in compressed sparse row form: for each
/// user, the sorted, de-duplicated list of items. Immutable.
/// </summary>
public sealed class UserItemMatrix
{
    private readonly int[] _rowOffsets;
    private readonly int[] _items;

    private UserItemMatrix(int userCount, int itemCount, int[] rowOffsets, int[] items)
    {
        UserCount = userCount;
        ItemCount = itemCount;
        _rowOffsets = rowOffsets;
        _items = items;
    }

    /// <summary>Builds the matrix from (user, item) pairs. Repeated pairs are kept once.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the matrix.</exception>
    public static UserItemMatrix FromPairs(int userCount, int itemCount, ReadOnlySpan<int> users, ReadOnlySpan<int> items)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(userCount);
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        if (users.Length != items.Length)
        {
            throw new ArgumentException($"{users.Length} users but {items.Length} items.", nameof(items));
        }

        var counts = new int[userCount + 1];
        for (int n = 0; n < users.Length; n++)
        {
            if ((uint)users[n] >= (uint)userCount)
            {
                throw new ArgumentOutOfRangeException(nameof(users), users[n], $"Pair {n}: user index must be in [0, {userCount}).");
            }

            if ((uint)items[n] >= (uint)itemCount)
            {
                throw new ArgumentOutOfRangeException(nameof(items), items[n], $"Pair {n}: item index must be in [0, {itemCount}).");
            }

            counts[users[n] + 1]++;
        }

        for (int u = 0; u < userCount; u++)
        {
            counts[u + 1] += counts[u];
        }

        var fill = (int[])counts.Clone();
        var raw = new int[users.Length];
        for (int n = 0; n < users.Length; n++)
        {
            raw[fill[users[n]]++] = items[n];
        }

        // Sort and de-duplicate each row in place, then compact.
        var offsets = new int[userCount + 1];
        int write = 0;
        for (int u = 0; u < userCount; u++)
        {
            var row = raw.AsSpan(counts[u], counts[u + 1] - counts[u]);
            row.Sort();
            offsets[u] = write;
            for (int j = 0; j < row.Length; j++)
            {
                if (j == 0 || row[j] != row[j - 1])
                {
                    raw[write++] = row[j];
                }
            }
        }

        offsets[userCount] = write;
        Array.Resize(ref raw, write);
        return new UserItemMatrix(userCount, itemCount, offsets, raw);
    }

    /// <summary>Number of rows (users).</summary>
    public int UserCount { get; }

    /// <summary>Number of columns (items).</summary>
    public int ItemCount { get; }

    /// <summary>Number of (user, item) interactions.</summary>
    public int Count => _items.Length;

    /// <summary>Row offsets into <see cref="ItemIndices"/>: user <c>u</c>'s items are at <c>[RowOffsets[u], RowOffsets[u+1])</c>.</summary>
    public ReadOnlySpan<int> RowOffsets => _rowOffsets;

    /// <summary>All item indices, row after row, sorted within each row.</summary>
    public ReadOnlySpan<int> ItemIndices => _items;

    /// <summary>The sorted items of user <paramref name="user"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The user index is outside <c>[0, UserCount)</c>.</exception>
    public ReadOnlySpan<int> ItemsOf(int user)
    {
        CheckUser(user);
        return _items.AsSpan(_rowOffsets[user], _rowOffsets[user + 1] - _rowOffsets[user]);
    }

    /// <summary>Number of items of user <paramref name="user"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The user index is outside <c>[0, UserCount)</c>.</exception>
    public int CountOf(int user)
    {
        CheckUser(user);
        return _rowOffsets[user + 1] - _rowOffsets[user];
    }

    /// <summary>Whether user <paramref name="user"/> interacted with item <paramref name="item"/> (binary search).</summary>
    public bool Contains(int user, int item) => ItemsOf(user).BinarySearch(item) >= 0;

    /// <summary>The users that have at least one interaction, ascending.</summary>
    public int[] UsersWithInteractions()
    {
        var list = new List<int>();
        for (int u = 0; u < UserCount; u++)
        {
            if (_rowOffsets[u + 1] > _rowOffsets[u])
            {
                list.Add(u);
            }
        }

        return list.ToArray();
    }

    /// <summary>The number of users that interacted with each item.</summary>
    public int[] ItemDegrees()
    {
        var degree = new int[ItemCount];
        foreach (int i in _items)
        {
            degree[i]++;
        }

        return degree;
    }

    /// <summary>The user of every interaction, aligned with <see cref="ItemIndices"/>.</summary>
    public int[] UserIndices()
    {
        var users = new int[_items.Length];
        for (int u = 0; u < UserCount; u++)
        {
            users.AsSpan(_rowOffsets[u], _rowOffsets[u + 1] - _rowOffsets[u]).Fill(u);
        }

        return users;
    }

    /// <summary>The transpose: for each item, the sorted users that interacted with it.</summary>
    public UserItemMatrix Transpose() => FromPairs(ItemCount, UserCount, _items, UserIndices());

    /// <summary>A copy with the item dimension widened to <paramref name="itemCount"/> (new items have no interactions).</summary>
    public UserItemMatrix WithItemCount(int itemCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(itemCount, ItemCount);
        return new UserItemMatrix(UserCount, itemCount, _rowOffsets, _items);
    }

    /// <summary>A copy without the interactions whose item is flagged in <paramref name="removeItem"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="removeItem"/> does not have one flag per item.</exception>
    public UserItemMatrix WithoutItems(ReadOnlySpan<bool> removeItem)
    {
        if (removeItem.Length != ItemCount)
        {
            throw new ArgumentException($"{removeItem.Length} flags for {ItemCount} items; pass one flag per item.", nameof(removeItem));
        }

        var users = new List<int>(Count);
        var items = new List<int>(Count);
        for (int u = 0; u < UserCount; u++)
        {
            foreach (int i in ItemsOf(u))
            {
                if (!removeItem[i])
                {
                    users.Add(u);
                    items.Add(i);
                }
            }
        }

        return FromPairs(UserCount, ItemCount, users.ToArray(), items.ToArray());
    }

    /// <summary>A copy that keeps only the interactions whose item is flagged in <paramref name="keepItem"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="keepItem"/> does not have one flag per item.</exception>
    public UserItemMatrix OnlyItems(ReadOnlySpan<bool> keepItem)
    {
        if (keepItem.Length != ItemCount)
        {
            throw new ArgumentException($"{keepItem.Length} flags for {ItemCount} items; pass one flag per item.", nameof(keepItem));
        }

        var remove = new bool[keepItem.Length];
        for (int i = 0; i < remove.Length; i++)
        {
            remove[i] = !keepItem[i];
        }

        return WithoutItems(remove);
    }

    private void CheckUser(int user)
    {
        if ((uint)user >= (uint)UserCount)
        {
            throw new ArgumentOutOfRangeException(nameof(user), user, $"User index must be in [0, {UserCount}).");
        }
    }
}
