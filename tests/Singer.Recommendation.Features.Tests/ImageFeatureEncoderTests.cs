using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace Singer.Recommendation.Features.Tests;

/// <summary>Loads ResNet18 once and writes the test images (solid colours and simple shapes) into a temporary folder.</summary>
public sealed class ImageFixture : IDisposable
{
    public ImageFixture()
    {
        Folder = Directory.CreateTempSubdirectory("singer-images-").FullName;
        Red = Write("red.png", 64, 64, SKEncodedImageFormat.Png, c => c.Clear(SKColors.Red));
        Blue = Write("blue.jpg", 80, 60, SKEncodedImageFormat.Jpeg, c => c.Clear(SKColors.Blue));
        Circle = Write("circle.png", 120, 90, SKEncodedImageFormat.Png, DrawCircle);
        CircleCopy = Write("circle-copy.png", 120, 90, SKEncodedImageFormat.Png, DrawCircle);
        Square = Write("square.webp", 100, 100, SKEncodedImageFormat.Webp, c =>
        {
            c.Clear(SKColors.White);
            using var paint = new SKPaint { Color = SKColors.Green };
            c.DrawRect(25, 25, 50, 50, paint);
        });
        Corrupt = Path.Combine(Folder, "corrupt.jpg");
        File.WriteAllBytes(Corrupt, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6, 7, 8]);   // a JPEG header and nothing else
        Missing = Path.Combine(Folder, "no-such-image.png");
        Encoder = new ImageFeatureEncoder(logger: Log);
    }

    public string Folder { get; }

    public string Red { get; }

    public string Blue { get; }

    public string Circle { get; }

    public string CircleCopy { get; }

    public string Square { get; }

    public string Corrupt { get; }

    public string Missing { get; }

    public ListLogger Log { get; } = new();

    public ImageFeatureEncoder Encoder { get; }

    public void Dispose()
    {
        Encoder.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    private static void DrawCircle(SKCanvas canvas)
    {
        canvas.Clear(SKColors.White);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawCircle(60, 45, 30, paint);
    }

    private string Write(string name, int width, int height, SKEncodedImageFormat format, Action<SKCanvas> draw)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            draw(canvas);
        }

        string path = Path.Combine(Folder, name);
        using var file = File.Create(path);
        bitmap.Encode(file, format, 90).Should().BeTrue($"SkiaSharp encodes {format}");
        return path;
    }
}

public sealed class ImageFeatureEncoderTests(ImageFixture images) : IClassFixture<ImageFixture>
{
    [Fact]
    public void Generated_images_encode_to_finite_512_d_vectors()
    {
        var result = images.Encoder.Encode([images.Red, images.Blue, images.Circle, images.Square]);

        result.Failures.Should().BeEmpty();
        result.Modality.Name.Should().Be("image");
        result.Modality.ItemCount.Should().Be(4);
        result.Modality.Dimension.Should().Be(512);
        result.Modality.Values.ToArray().Should().OnlyContain(v => float.IsFinite(v) && v >= 0, "pooled ReLU outputs");
        result.Modality.Row(0).ToArray().Should().NotEqual(result.Modality.Row(1).ToArray());
    }

    [Fact]
    public void Identical_images_give_identical_vectors()
    {
        var result = images.Encoder.Encode([images.Circle, images.CircleCopy, images.Circle]);
        var again = images.Encoder.Encode([images.Circle]);

        result.Modality.Row(0).ToArray().Should().Equal(result.Modality.Row(1).ToArray());
        result.Modality.Row(0).ToArray().Should().Equal(result.Modality.Row(2).ToArray());
        again.Modality.Row(0).ToArray().Should().Equal(result.Modality.Row(0).ToArray());
    }

    [Fact]
    public void A_corrupt_or_missing_image_gets_the_mean_vector_and_is_reported()
    {
        images.Log.Clear();
        var result = images.Encoder.Encode([images.Red, images.Corrupt, images.Circle, images.Missing, null, images.Square]);
        var m = result.Modality;

        result.Failures.Select(f => f.Item).Should().Equal(1, 3, 4);
        result.Failures[0].Reason.Should().Be("not a decodable image");
        result.Failures[1].Reason.Should().Be("file not found");
        result.Failures[1].Source.Should().Be(images.Missing);
        result.Failures[2].Reason.Should().Be("no image path");
        images.Log.Warnings.Should().HaveCount(3);

        for (int j = 0; j < 512; j++)
        {
            float mean = (m.Row(0)[j] + m.Row(2)[j] + m.Row(5)[j]) / 3;
            m.Row(1)[j].Should().BeApproximately(mean, 1e-5f);
            m.Row(3)[j].Should().Be(m.Row(1)[j]);
            m.Row(4)[j].Should().Be(m.Row(1)[j]);
        }
    }

    [Fact]
    public void No_readable_image_at_all_is_a_clear_error()
    {
        var act = () => images.Encoder.Encode([images.Corrupt, images.Missing]);

        act.Should().Throw<InvalidOperationException>().WithMessage("None of the 2 images could be read*corrupt.jpg*");
    }

    [Fact]
    public void The_cache_keeps_the_vectors_and_the_failures()
    {
        string path = Path.Combine(images.Folder, "cache", "image_feat.npy");
        var first = images.Encoder.EncodeCached([images.Red, images.Missing], path);
        var second = images.Encoder.EncodeCached([images.Red, images.Missing], path);

        second.Modality.Values.ToArray().Should().Equal(first.Modality.Values.ToArray());
        second.Failures.Should().Equal(first.Failures);
        second.Failures.Should().ContainSingle().Which.Item.Should().Be(1);
    }

    [Fact]
    public void Invalid_options_are_all_reported_at_once()
    {
        var act = () => new ImageFeatureEncoder(new ImageEncoderOptions { ModalityName = "", IntraOpThreads = -1, ModelDirectory = " " });

        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("3 problems")
            && e.Message.Contains(nameof(ImageEncoderOptions.ModalityName)) && e.Message.Contains(nameof(ImageEncoderOptions.IntraOpThreads))
            && e.Message.Contains(nameof(ImageEncoderOptions.ModelDirectory)));
    }

    [Fact]
    public void Progress_counts_every_image_and_cancellation_stops_the_run()
    {
        var reports = new List<FeatureProgress>();
        images.Encoder.Encode([images.Red, images.Missing, images.Blue], new SynchronousProgress<FeatureProgress>(reports.Add));
        reports.Select(r => r.Done).Should().Equal(1, 2, 3);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var act = () => images.Encoder.Encode([images.Red], cancellationToken: cts.Token);
        act.Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void A_missing_model_folder_names_the_option_to_set()
    {
        var act = () => new ImageFeatureEncoder(new ImageEncoderOptions { ModelDirectory = images.Folder });

        act.Should().Throw<FileNotFoundException>().WithMessage($"*{nameof(ImageEncoderOptions.ModelDirectory)}*");
    }

    /// <summary>
    /// Agreement with ML.NET's own pipeline (<c>LoadImages → ResizeImages(224, 224) → ExtractPixels → DnnFeaturizeImage
    /// (ResNet18)</c>, Microsoft.ML 5.0.1): Reference/mlnet-resnet18.txt holds its 512 features for the two JPEGs beside it,
    /// one landscape (cropped left and right) and one portrait (cropped top and bottom). Bilinear instead of Skia's
    /// high-quality sampling, or a crop that is off by a few pixels, drops the cosine below 0.999; swapped channels or a
    /// missing mean subtraction far below.
    /// </summary>
    [Fact]
    public void Features_agree_with_mlnet_dnn_featurize_image()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Reference");
        var expected = File.ReadAllLines(Path.Combine(folder, "mlnet-resnet18.txt"))
            .Select(l => l.Split(' ').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
        var result = images.Encoder.Encode([Path.Combine(folder, "landscape-500x375.jpg"), Path.Combine(folder, "portrait-200x300.jpg")]);

        result.Failures.Should().BeEmpty();
        for (int i = 0; i < expected.Length; i++)
        {
            expected[i].Should().HaveCount(512);
            double cosine = TextFeatureEncoderTests.Cosine(result.Modality.Row(i), expected[i]);
            cosine.Should().BeGreaterThan(0.9999, $"image {i} must match ML.NET's features");
        }
    }
}

/// <summary>Records the log lines of the encoder.</summary>
public sealed class ListLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _lines = [];

    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_lines)
            {
                return _lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Message).ToArray();
            }
        }
    }

    public void Clear()
    {
        lock (_lines)
        {
            _lines.Clear();
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add((logLevel, formatter(state, exception)));
        }
    }
}
