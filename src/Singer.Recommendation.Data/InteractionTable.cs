namespace Singer.Recommendation;

/// <summary>Accumulates parsed interaction rows, then builds an <see cref="InteractionDataset"/>.</summary>
internal sealed class InteractionTable
{
    private readonly List<int> _users = [];
    private readonly List<int> _items = [];
    private readonly List<DataSplit> _splits = [];
    private readonly Dictionary<long, long> _firstLine = [];
    private readonly DuplicateInteractionPolicy _duplicates;
    private readonly string _path;

    public InteractionTable(string path, DuplicateInteractionPolicy duplicates)
    {
        _path = path;
        _duplicates = duplicates;
    }

    public int Count => _users.Count;

    public List<int> Users => _users;

    /// <summary>Adds a row; applies the duplicate policy. Returns false when the row was a dropped duplicate.</summary>
    public bool Add(int user, int item, DataSplit? split, long line)
    {
        long key = ((long)user << 32) | (uint)item;
        if (!_firstLine.TryAdd(key, line))
        {
            if (_duplicates == DuplicateInteractionPolicy.Reject)
            {
                throw new DataFormatException(_path, line,
                    $"the interaction (user, item) repeats line {_firstLine[key]}; remove duplicates or load with DuplicateInteractionPolicy.KeepFirst.");
            }

            return false;
        }

        _users.Add(user);
        _items.Add(item);
        _splits.Add(split ?? DataSplit.Train);
        return true;
    }

    public void AssignSplits(int userCount, int seed)
    {
        var assigned = DatasetSplitter.Assign(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_users), userCount, seed);
        for (int n = 0; n < assigned.Length; n++)
        {
            _splits[n] = assigned[n];
        }
    }

    public InteractionDataset Build(string name, IdMap users, IdMap items, IEnumerable<ItemModality> modalities)
    {
        var parts = new UserItemMatrix[3];
        for (int s = 0; s < 3; s++)
        {
            var u = new List<int>();
            var i = new List<int>();
            for (int n = 0; n < _users.Count; n++)
            {
                if ((int)_splits[n] == s)
                {
                    u.Add(_users[n]);
                    i.Add(_items[n]);
                }
            }

            parts[s] = UserItemMatrix.FromPairs(users.Count, items.Count, u.ToArray(), i.ToArray());
        }

        return new InteractionDataset(name, users, items, parts[0], parts[1], parts[2], modalities);
    }
}
