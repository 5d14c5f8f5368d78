using Microsoft.Extensions.Options;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// Keeps the feature slices a silo has read from files, so that the column shard every work item of a row needs is
/// mapped, copied and checked once per silo and job instead of once per work item (with one column shard, that is
/// the whole catalogue). Least recently used slices go first when <see cref="SingerWorkerOptions.FeatureCacheBytes"/>
/// would be exceeded, and slices unused for <see cref="SingerWorkerOptions.FeatureCacheIdleTime"/> are dropped. A
/// slice is keyed by the file's path, length and modification time too, so a replaced file is read again.
/// </summary>
internal sealed class FeatureSliceCache : IDisposable
{
    private readonly long _capacity;
    private readonly TimeSpan _idle;
    private readonly TimeProvider _time;
    private readonly Dictionary<Key, Entry> _entries = [];
    private readonly ITimer _sweeper;
    private long _bytes;

    public FeatureSliceCache(IOptions<SingerWorkerOptions> options, TimeProvider? time = null)
    {
        _capacity = options.Value.FeatureCacheBytes;
        _idle = options.Value.FeatureCacheIdleTime;
        _time = time ?? TimeProvider.System;
        var period = _idle > TimeSpan.Zero && _idle < TimeSpan.FromSeconds(30) ? _idle : TimeSpan.FromSeconds(30);
        _sweeper = _time.CreateTimer(_ => Sweep(), null, period, period);
    }

    /// <summary>Bytes held now.</summary>
    public long Bytes
    {
        get
        {
            lock (_entries)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The slice of <paramref name="path"/> from the cache, or read by <paramref name="read"/> (once, however many work items ask at the same time).</summary>
    public ItemModality GetOrRead(string path, int start, int? count, Func<ItemModality> read)
    {
        if (_capacity <= 0)
        {
            return read();
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return read(); // reports the missing file
        }

        var key = new Key(path, start, count, info.Length, info.LastWriteTimeUtc);
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry(new Lazy<ItemModality>(read, LazyThreadSafetyMode.ExecutionAndPublication));
                _entries[key] = entry;
            }

            entry.LastUse = _time.GetTimestamp();
        }

        ItemModality slice;
        try
        {
            slice = entry.Value.Value;
        }
        catch
        {
            Remove(key, entry);
            throw;
        }

        lock (_entries)
        {
            if (entry.Bytes == 0 && _entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry))
            {
                entry.Bytes = (long)slice.ItemCount * slice.Dimension * sizeof(float);
                _bytes += entry.Bytes;
                Trim(keep: key);
            }
        }

        return slice;
    }

    public void Dispose() => _sweeper.Dispose();

    /// <summary>Drops slices unused for the idle time.</summary>
    internal void Sweep()
    {
        long now = _time.GetTimestamp();
        lock (_entries)
        {
            foreach (var (key, entry) in _entries.ToArray())
            {
                if (entry.Value.IsValueCreated && _time.GetElapsedTime(entry.LastUse, now) >= _idle)
                {
                    _entries.Remove(key);
                    _bytes -= entry.Bytes;
                }
            }
        }
    }

    private void Trim(Key keep)
    {
        // Least recently used first; a slice larger than the whole cache is not kept.
        foreach (var (key, entry) in _entries.Where(e => e.Value.Value.IsValueCreated).OrderBy(e => e.Value.LastUse).ToArray())
        {
            if (_bytes <= _capacity)
            {
                break;
            }

            if (!key.Equals(keep) || entry.Bytes > _capacity)
            {
                _entries.Remove(key);
                _bytes -= entry.Bytes;
            }
        }
    }

    private void Remove(Key key, Entry entry)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry))
            {
                _entries.Remove(key);
                _bytes -= entry.Bytes;
            }
        }
    }

    private readonly record struct Key(string Path, int Start, int? Count, long Length, DateTime Modified);

    private sealed class Entry(Lazy<ItemModality> value)
    {
        public Lazy<ItemModality> Value { get; } = value;

        public long LastUse { get; set; }

        public long Bytes { get; set; }
    }
}
