using Singer.Recommendation;

namespace Singer.Recommendation.Features.Tests;

/// <summary>One model load for the class (about 1.5 s).</summary>
public sealed class TextEncoderFixture : IDisposable
{
    public TextFeatureEncoder Encoder { get; } = new(new TextEncoderOptions { BatchSize = 8 });

    public void Dispose() => Encoder.Dispose();
}

public sealed class TextFeatureEncoderTests(TextEncoderFixture fixture) : IClassFixture<TextEncoderFixture>
{
    private readonly TextFeatureEncoder _encoder = fixture.Encoder;

    internal static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    [Fact]
    public void Every_vector_has_384_dimensions_and_unit_length()
    {
        var m = _encoder.Encode(["Toy Story (1995)", "GoldenEye (1995)", "", null]);

        m.Name.Should().Be("text");
        m.ItemCount.Should().Be(4);
        m.Dimension.Should().Be(384);
        for (int i = 0; i < m.ItemCount; i++)
        {
            double norm = Math.Sqrt(m.Row(i).ToArray().Sum(v => (double)v * v));
            norm.Should().BeApproximately(1.0, 1e-4, $"row {i} is mean-pooled and L2-normalised");
        }
    }

    [Fact]
    public void Identical_input_gives_identical_vectors()
    {
        string[] texts = ["Toy Story (1995)", "Heat (1995)", "Toy Story (1995)"];
        var first = _encoder.Encode(texts);
        var second = _encoder.Encode(texts);

        first.Row(0).ToArray().Should().Equal(first.Row(2).ToArray());
        first.Values.ToArray().Should().Equal(second.Values.ToArray());
        first.Row(0).ToArray().Should().NotEqual(first.Row(1).ToArray());
    }

    [Fact]
    public void A_sequel_is_closer_than_an_unrelated_film_of_the_same_year()
    {
        var m = _encoder.Encode(["Toy Story (1995)", "Toy Story 2 (1999)", "Heat (1995)"]);

        double sequel = Cosine(m.Row(0), m.Row(1));
        double unrelated = Cosine(m.Row(0), m.Row(2));
        sequel.Should().BeGreaterThan(unrelated + 0.1, $"sequel {sequel:F3}, unrelated {unrelated:F3}");
    }

    [Fact]
    public void A_text_alone_and_in_a_padded_batch_agree()
    {
        float[] alone = _encoder.Encode("Heat (1995)");
        var batch = _encoder.Encode(["Heat (1995)", "Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb (1963)"]);

        for (int j = 0; j < TextFeatureEncoder.Dimension; j++)
        {
            alone[j].Should().BeApproximately(batch.Row(0)[j], 1e-5f);
        }
    }

    [Fact]
    public void Whitespace_case_and_accents_are_normalised_like_bert_uncased()
    {
        TextNormalizer.Normalize("Amélie\t(2001)\nFRANCE").Should().Be("amelie  ( 2001 )  france");
        TextNormalizer.Normalize("a\u0000b\u200Bc").Should().Be("abc");
        TextNormalizer.Normalize("«Ça»").Should().Be(" « ca » ");

        var m = _encoder.Encode(["Amélie\t(2001)", "amelie (2001)"]);
        m.Row(0).ToArray().Should().Equal(m.Row(1).ToArray());
    }

    [Fact]
    public void Long_texts_are_cut_at_the_word_piece_budget()
    {
        string Words(int n) => string.Join(' ', Enumerable.Repeat("movie", n));
        var m = _encoder.Encode([Words(600), Words(254), Words(200)]);

        m.Row(0).ToArray().Should().Equal(m.Row(1).ToArray(), "\"movie\" is one word piece, so 600 words keep 254");
        m.Row(0).ToArray().Should().NotEqual(m.Row(2).ToArray());
    }

    [Fact]
    public void Fields_are_joined_with_spaces_as_in_mmrec()
    {
        TextFeatureEncoder.JoinFields(["Ghost Tool", null, "Sports & Outdoors", "A punch."]).Should().Be("Ghost Tool  Sports & Outdoors A punch.");

        var byFields = _encoder.Encode(new IReadOnlyList<string?>[] { ["Toy Story", "(1995)"] });
        var byText = _encoder.Encode(["Toy Story (1995)"]);
        byFields.Values.ToArray().Should().Equal(byText.Values.ToArray());
    }

    [Fact]
    public void Empty_input_gives_an_empty_modality_and_progress_reaches_the_total()
    {
        _encoder.Encode(Array.Empty<string>()).ItemCount.Should().Be(0);

        var reports = new List<FeatureProgress>();
        _encoder.Encode(Enumerable.Range(0, 20).Select(i => $"Film {i}").ToArray(), new SynchronousProgress<FeatureProgress>(reports.Add));
        reports.Should().HaveCount(3);   // batches of 8
        reports[^1].Should().Be(new FeatureProgress(20, 20));
    }

    [Fact]
    public void A_cancelled_run_throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var act = () => _encoder.Encode(["Heat (1995)"], cancellationToken: cts.Token);
        act.Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void The_cache_is_written_reused_and_invalidated_by_other_texts()
    {
        string dir = Directory.CreateTempSubdirectory("singer-text-cache-").FullName;
        try
        {
            string path = Path.Combine(dir, "text_feat.npy");
            var first = _encoder.EncodeCached(["Heat (1995)", "Toy Story (1995)"], path);
            File.Exists(path + ".json").Should().BeTrue();
            NpyFile.ReadModality(path, "text").Values.ToArray().Should().Equal(first.Values.ToArray());

            // A cache hit returns the file's values: overwrite them to see that they are read, not recomputed.
            var marked = new float[first.Values.Length];
            marked[0] = 42f;
            NpyFile.Write(path, 2, 384, marked);
            _encoder.EncodeCached(["Heat (1995)", "Toy Story (1995)"], path).Row(0)[0].Should().Be(42f);

            var other = _encoder.EncodeCached(["Heat (1995)", "Casino (1995)"], path);
            other.Row(0).ToArray().Should().Equal(first.Row(0).ToArray());
            NpyFile.ReadModality(path, "text").Row(1).ToArray().Should().Equal(other.Row(1).ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Invalid_options_are_all_reported_before_the_model_loads()
    {
        var act = () => new TextFeatureEncoder(new TextEncoderOptions { BatchSize = 0, MaxWordPieces = 600, ModalityName = "a b" });

        act.Should().Throw<ArgumentException>()
            .Where(e => e.Message.Contains(nameof(TextEncoderOptions.BatchSize)) && e.Message.Contains(nameof(TextEncoderOptions.MaxWordPieces))
                && e.Message.Contains(nameof(TextEncoderOptions.ModalityName)) && e.Message.Contains("3 problems"));
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
