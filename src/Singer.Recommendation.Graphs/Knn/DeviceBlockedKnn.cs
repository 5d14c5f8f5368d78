using TorchSharp;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation.Graphs.Knn;

/// <summary>
/// The device (CUDA) path of the blocked kNN (SPEC §1.1). The top-k selection stays on the device, and only
/// <c>B × m</c> candidates per block come back to the host, where ties are ordered exactly.
/// </summary>
/// <remarks>
/// <para>Per block of B rows: <c>S_b = Q_b · Xᵀ</c> (float32, or bfloat16/float16 products), the item itself masked
/// to −∞ when self is excluded. Candidates without a full-row <c>topk</c>: the row is cut into chunks of 128 columns,
/// the chunk maxima are reduced, the <c>m</c> best chunks are gathered and a <c>topk</c> over those <c>m·128</c> values
/// gives the <c>m</c> candidates. Every other column's value is at most the boundary
/// <c>b = max((m+1)-th gathered value, (m+1)-th chunk maximum)</c>.</para>
/// <para>Float32: <c>m = k</c>. A row is certified when its k-th value is strictly above <c>b</c> (no column outside can
/// tie or beat it); a row with a tie at the boundary is redone with an exact tie-aware selection on the device
/// (all values above the k-th, then the lowest columns equal to it).</para>
/// <para>Reduced precision: <c>m = k + extra</c>; the candidates are re-scored in float32 (<c>bmm</c> with the gathered
/// rows); a row is certified when its exact k-th value exceeds <c>b + τ</c>, τ the tolerance (by default the worst-case
/// rounding bound, so no column outside can reach it); other rows are recomputed in float32 and selected exactly.</para>
/// <para>Blocks are pipelined: block b+1 is launched before the host orders block b's candidates.</para>
/// </remarks>
internal static partial class DeviceBlockedKnn
{
    private const int ChunkSize = 128;

    /// <summary>Candidates per row: k in float32, k + extra with reduced precision (never more than the columns).</summary>
    public static int CandidateCount(KnnSettings s, int baseCount) =>
        Math.Min(baseCount, s.Reduced ? s.K + s.ExtraCandidates : s.K);

    /// <summary>The block height: two blocks in flight must fit in the budget.</summary>
    public static int BlockRows(long budgetBytes, int? explicitRows, KnnSettings s, int queryRows, int baseCount, int dimension)
    {
        if (explicitRows is { } e)
        {
            return Math.Clamp(e, 1, Math.Max(1, queryRows));
        }

        int elem = s.Reduced ? 2 : 4;
        long m = CandidateCount(s, baseCount);
        long bytesPerRow = ((long)baseCount * elem)
            + ((long)(baseCount / ChunkSize) * elem)
            + ((m + 1) * 16)
            + (((m * ChunkSize) + ChunkSize) * (8 + elem))
            + (s.Reduced ? m * dimension * 4L : 0);
        long rows = budgetBytes / (2 * bytesPerRow);
        return (int)Math.Clamp(rows, 1, Math.Max(1, queryRows));
    }

    /// <summary>The default tolerance τ of a reduced-precision product: <c>3u + d·2⁻²⁴</c> for unit vectors.</summary>
    public static float WorstCaseTolerance(KnnPrecision precision, int dimension) => precision switch
    {
        KnnPrecision.BFloat16 => (3f * MathF.Pow(2, -8)) + (dimension * MathF.Pow(2, -24)),
        KnnPrecision.Float16 => (3f * MathF.Pow(2, -11)) + (dimension * MathF.Pow(2, -24)),
        _ => 0f,
    };

    public static void Run(KnnJob job, KnnSettings s, Device device, KnnResult result, Action<int, int> blockDone, CancellationToken cancellationToken)
    {
        int n = job.BaseCount, d = job.Dimension, m = CandidateCount(s, n);
        using var scope = NewDisposeScope();
        var base32 = UploadNormalized(job.BaseFeatures, device);
        var queries32 = job.SelfGraph ? base32 : UploadNormalized(job.QueryFeatures, device);
        var type = s.Precision switch
        {
            KnnPrecision.BFloat16 => ScalarType.BFloat16,
            KnnPrecision.Float16 => ScalarType.Float16,
            _ => ScalarType.Float32,
        };
        var baseP = s.Reduced ? base32.to_type(type) : base32;
        var queriesP = job.SelfGraph ? baseP : s.Reduced ? queries32.to_type(type) : queries32;
        var baseT = baseP.t();
        var base32T = base32.t();
        var inputs = new Inputs(base32, queries32, baseT, queriesP, base32T);

        Pending? pending = Launch(inputs, s, job, 0, Math.Min(s.BlockRows, job.QueryRows), m);
        for (int start = 0; pending is not null;)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = pending;
            var host = current.Pull();
            int next = start + current.Rows;
            // Launch the next block before the host works on this one, so that the device stays busy.
            pending = next < job.QueryRows ? Launch(inputs, s, job, next, Math.Min(s.BlockRows, job.QueryRows - next), m) : null;

            var uncertified = Finalize(host, s, job, start, result);
            if (uncertified.Count > 0)
            {
                ExactRows(inputs, s, job, current, start, uncertified, result);
            }

            current.Dispose();
            blockDone(current.Rows, uncertified.Count);
            start = next;
        }
    }

    /// <summary>
    /// Copies the raw features to the device in slices of about 32 MB through one (pinned, on CUDA) host buffer, then
    /// divides each row by its L2 norm there; a zero row stays zero (its norm is replaced by 1), so its cosines are 0.
    /// </summary>
    private static Tensor UploadNormalized(ItemModality features, Device device)
    {
        int rows = features.ItemCount, dim = features.Dimension;
        int sliceRows = (int)Math.Clamp((32L << 20) / (4L * dim), 1, Math.Max(1, rows));
        var result = empty(rows, dim, ScalarType.Float32, device);
        using (var staging = empty(sliceRows, dim, ScalarType.Float32))
        using (var host = device.type == DeviceType.CUDA ? staging.pin_memory() : staging.alias())
        {
            for (int start = 0; start < rows; start += sliceRows)
            {
                int count = Math.Min(sliceRows, rows - start);
                using var part = host.narrow(0, 0, count);
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(features.Values.Slice(start * dim, count * dim)).CopyTo(part.bytes);
                using var target = result.narrow(0, start, count);
                target.copy_(part);
            }
        }

        using var scope = NewDisposeScope();
        using var zero = 0f.ToScalar();
        using var one = 1f.ToScalar();
        var norms = result.norm(1, true);
        result.div_(norms.masked_fill(norms.eq(zero), one));
        return result;
    }

    private sealed record Inputs(Tensor Base32, Tensor Queries32, Tensor BaseProductT, Tensor QueriesProduct, Tensor Base32T);

    /// <summary>One launched block: candidate columns, their float32 values and the boundary, still on the device.</summary>
    private sealed class Pending(int rows, Tensor? similarities, Tensor columns, Tensor values, Tensor boundary) : IDisposable
    {
        public int Rows { get; } = rows;

        /// <summary>The float32 block (kept for the exact fix-up of tied rows); null with reduced precision.</summary>
        public Tensor? Similarities { get; } = similarities;

        public HostBlock Pull()
        {
            using var c = columns.to_type(ScalarType.Int32).cpu();
            using var v = values.cpu();
            using var b = boundary.cpu();
            return new HostBlock(Rows, (int)columns.shape[1], c.data<int>().ToArray(), v.data<float>().ToArray(), b.data<float>().ToArray());
        }

        public void Dispose()
        {
            Similarities?.Dispose();
            columns.Dispose();
            values.Dispose();
            boundary.Dispose();
        }
    }

    private sealed record HostBlock(int Rows, int Width, int[] Columns, float[] Values, float[] Boundary);

    private static Pending Launch(Inputs x, KnnSettings s, KnnJob job, int start, int rows, int m)
    {
        using var scope = NewDisposeScope();
        long n = job.BaseCount;
        var similarities = x.QueriesProduct.narrow(0, start, rows).mm(x.BaseProductT);
        if (s.ExcludeSelf)
        {
            // Row r of the block is item start + r: the diagonal at offset 'start'.
            using var minusInfinity = float.NegativeInfinity.ToScalar();
            similarities.diagonal(start).fill_(minusInfinity);
        }

        var (columns, approximate, boundary) = Candidates(similarities, m);
        Tensor values;
        if (s.Reduced)
        {
            // Exact float32 re-scoring: <q_r, x_c> for each candidate c of row r.
            var gathered = x.Base32.index_select(0, columns.reshape(-1)).view(rows, m, job.Dimension);
            values = gathered.bmm(x.Queries32.narrow(0, start, rows).unsqueeze(2)).squeeze(2);
        }
        else
        {
            values = approximate;
        }

        var keep = s.Reduced ? null : similarities.MoveToOuterDisposeScope();
        return new Pending(
            rows,
            keep,
            columns.MoveToOuterDisposeScope(),
            values.to_type(ScalarType.Float32).contiguous().MoveToOuterDisposeScope(),
            boundary.to_type(ScalarType.Float32).contiguous().MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The m best columns of each row (any order among ties) and a boundary b that bounds every other column's value,
    /// found from chunk maxima so that no full-row <c>topk</c> runs.
    /// </summary>
    internal static (Tensor Columns, Tensor Values, Tensor Boundary) Candidates(Tensor similarities, int m)
    {
        long rows = similarities.shape[0], n = similarities.shape[1];
        long chunks = n / ChunkSize, full = chunks * ChunkSize, tail = n - full;
        if (chunks <= m + 1 || (m * (long)ChunkSize) + tail >= n)
        {
            int take = (int)Math.Min(m + 1, n);
            var (top, index) = similarities.topk(take, dim: 1, largest: true, sorted: true);
            using var minusInfinity = float.NegativeInfinity.ToScalar();
            var boundary = take > m
                ? top.select(1, m)
                : full_like(top.select(1, 0), minusInfinity);
            return (index.narrow(1, 0, m), top.narrow(1, 0, m), boundary);
        }

        var chunkMax = similarities.narrow(1, 0, full).view(rows, chunks, ChunkSize).amax([2L]);
        var (chunkTop, chunkIndex) = chunkMax.topk(m + 1, dim: 1, largest: true, sorted: true);
        using var zero = 0L.ToScalar();
        using var chunkSize = ((long)ChunkSize).ToScalar();
        using var unit = 1L.ToScalar();
        var offsets = arange(zero, chunkSize, unit, ScalarType.Int64, similarities.device).view(1, 1, ChunkSize);
        var columns = chunkIndex.narrow(1, 0, m).unsqueeze(2).Times((long)ChunkSize).Plus(offsets).reshape(rows, m * (long)ChunkSize);
        if (tail > 0)
        {
            using var from = full.ToScalar();
            using var to = n.ToScalar();
            using var step = 1L.ToScalar();
            var tailColumns = arange(from, to, step, ScalarType.Int64, similarities.device).view(1, tail).expand(rows, tail);
            columns = cat([columns, tailColumns], 1);
        }

        var gathered = similarities.gather(1, columns);
        var (gatheredTop, gatheredIndex) = gathered.topk(m + 1, dim: 1, largest: true, sorted: true);
        var candidateColumns = columns.gather(1, gatheredIndex.narrow(1, 0, m));
        var bound = maximum(gatheredTop.select(1, m), chunkTop.select(1, m));
        return (candidateColumns, gatheredTop.narrow(1, 0, m), bound);
    }
}
