namespace Singer.Recommendation.Fuzz.Tests;

/// <summary>One byte-level change of a file: what to do, where (modulo the length) and with which byte.</summary>
public readonly record struct Mutation(int Kind, int Position, byte Value, int Length)
{
    public const int Kinds = 7;

    private static readonly byte[] Interesting = [0, 0xFF, 0x7F, 0x80, (byte)'9', (byte)'-', (byte)'\t', (byte)'\n', (byte)',', (byte)'(', (byte)')', (byte)'\''];

    /// <summary>Applies the mutation to <paramref name="bytes"/> (never to an empty array in place).</summary>
    public byte[] Apply(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return [Value];
        }

        int p = (int)((uint)Position % (uint)bytes.Length);
        switch (Kind)
        {
            case 0: // flip one bit
                bytes[p] ^= (byte)(1 << (Value & 7));
                return bytes;
            case 1: // set a byte
                bytes[p] = Value;
                return bytes;
            case 2: // set a byte to a value parsers care about
                bytes[p] = Interesting[Value % Interesting.Length];
                return bytes;
            case 3: // insert a byte
                return [.. bytes.AsSpan(0, p), Value, .. bytes.AsSpan(p)];
            case 4: // delete a run
                int n = Math.Min(1 + (Length % 64), bytes.Length - p);
                return [.. bytes.AsSpan(0, p), .. bytes.AsSpan(p + n)];
            case 5: // truncate
                return bytes[..p];
            default: // duplicate a run (grows the file)
                int m = Math.Min(1 + (Length % 256), bytes.Length - p);
                return [.. bytes.AsSpan(0, p + m), .. bytes.AsSpan(p, m), .. bytes.AsSpan(p + m)];
        }
    }

    public override string ToString() => $"{Kind}@{Position}:{Value}/{Length}";
}

/// <summary>What one fuzz case did: the exception (null when the input still loaded) and the bytes it allocated.</summary>
public readonly record struct Outcome(Exception? Error, long AllocatedBytes);

/// <summary>Runs a call on a worker with a deadline and measures what it allocates on that thread.</summary>
public static class Harness
{
    /// <summary>Generous: every case takes milliseconds; only a hang (an endless loop) reaches it.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public static Outcome Run(Action act, string description)
    {
        var task = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Exception? error = null;
            try
            {
                act();
            }
            catch (Exception e)
            {
                error = e;
            }

            return new Outcome(error, GC.GetAllocatedBytesForCurrentThread() - before);
        });
        if (!task.Wait(Deadline))
        {
            throw new TimeoutException($"The call did not finish within {Deadline.TotalSeconds} s (a hang) for {description}.");
        }

        return task.Result;
    }

    /// <summary>
    /// Fails the case unless it succeeded or raised the documented exception type <typeparamref name="TDocumented"/>
    /// (exactly that type when <paramref name="exactType"/>, else it or a subclass), and unless it allocated at most
    /// <c>factor × input + constant</c> bytes.
    /// </summary>
    public static void Expect<TDocumented>(Outcome outcome, int inputLength, long factor, long constant, string description, bool exactType = false)
        where TDocumented : Exception
    {
        if (outcome.Error is not null && (exactType ? outcome.Error.GetType() != typeof(TDocumented) : outcome.Error is not TDocumented))
        {
            throw new InvalidOperationException($"Undocumented {outcome.Error.GetType().Name} for {description}: {outcome.Error.Message}", outcome.Error);
        }

        long budget = (factor * inputLength) + constant;
        if (outcome.AllocatedBytes > budget)
        {
            throw new InvalidOperationException($"Allocated {outcome.AllocatedBytes:N0} bytes for a {inputLength:N0}-byte file (budget {budget:N0}): {description}");
        }
    }

    /// <summary>The worst allocation-to-input ratio seen so far per format (reported by the tests).</summary>
    public sealed class Tally
    {
        private long _cases;
        private long _errors;
        private double _worstRatio;
        private long _worstBytes;

        public long Cases => Interlocked.Read(ref _cases);

        public long Errors => Interlocked.Read(ref _errors);

        public void Add(Outcome outcome, int inputLength)
        {
            Interlocked.Increment(ref _cases);
            if (outcome.Error is not null)
            {
                Interlocked.Increment(ref _errors);
            }

            // Per KB of input, at least 1 KB: a 3-byte file costs the fixed price of opening a file, not a ratio.
            double ratio = (double)outcome.AllocatedBytes / Math.Max(inputLength, 1024);
            lock (this)
            {
                _worstRatio = Math.Max(_worstRatio, ratio);
                _worstBytes = Math.Max(_worstBytes, outcome.AllocatedBytes);
            }
        }

        public override string ToString() =>
            $"{Cases:N0} cases, {Errors:N0} rejected with a documented exception, {Cases - Errors:N0} still valid; worst allocation {_worstBytes:N0} bytes, worst allocation per byte of input (inputs under 1 KB counted as 1 KB) {_worstRatio:N1}";
    }
}
