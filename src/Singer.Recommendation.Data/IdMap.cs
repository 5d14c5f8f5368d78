using System.Collections.ObjectModel;

namespace Singer.Recommendation;

/// <summary>
/// A two-way map between external identifiers (strings, as they appear in the user's files) and the
/// contiguous 0-based internal indices that models use. Immutable.
/// </summary>
public sealed class IdMap
{
    private readonly string[] _ids;
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates a map whose internal index <c>i</c> is <paramref name="ids"/>[i].</summary>
    /// <exception cref="ArgumentException">An id is null or repeated.</exception>
    public IdMap(IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        _ids = ids.ToArray();
        _index = new Dictionary<string, int>(_ids.Length, StringComparer.Ordinal);
        for (int i = 0; i < _ids.Length; i++)
        {
            string id = _ids[i] ?? throw new ArgumentException($"Id at index {i} is null.", nameof(ids));
            if (!_index.TryAdd(id, i))
            {
                throw new ArgumentException($"Id '{id}' appears twice (indices {_index[id]} and {i}).", nameof(ids));
            }
        }
    }

    /// <summary>Creates the identity map "0", "1", …, "count-1" (MMRec files use such ids).</summary>
    public static IdMap Sequential(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new IdMap(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Number of ids.</summary>
    public int Count => _ids.Length;

    /// <summary>All ids, in internal index order.</summary>
    public ReadOnlyCollection<string> Ids => Array.AsReadOnly(_ids);

    /// <summary>The external id of internal index <paramref name="index"/>.</summary>
    public string this[int index] => _ids[index];

    /// <summary>The internal index of <paramref name="id"/>.</summary>
    /// <exception cref="KeyNotFoundException">The id is unknown.</exception>
    public int IndexOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _index.TryGetValue(id, out int i) ? i : throw new KeyNotFoundException($"Unknown id '{id}'.");
    }

    /// <summary>Looks up the internal index of <paramref name="id"/>.</summary>
    public bool TryGetIndex(string id, out int index)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _index.TryGetValue(id, out index);
    }

    /// <summary>Whether <paramref name="id"/> is known.</summary>
    public bool Contains(string id) => id is not null && _index.ContainsKey(id);

    /// <summary>A new map with <paramref name="newIds"/> appended after the existing ids.</summary>
    public IdMap Append(IEnumerable<string> newIds) => new(_ids.Concat(newIds));
}
