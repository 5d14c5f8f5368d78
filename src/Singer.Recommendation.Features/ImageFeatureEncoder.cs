using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace Singer.Recommendation.Features;

/// <summary>
/// Image features for items: the 512-d global-average-pooled output of ResNet18 (ImageNet), from the ONNX models of the
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> package run with ONNX Runtime, with that package's own preprocessing
/// model. Images are decoded with SkiaSharp (JPEG, PNG, GIF, BMP, WebP, ICO, WBMP and what else Skia decodes).
/// </summary>
/// <remarks>
/// <para>Pipeline, as ML.NET's <c>LoadImages → ResizeImages(224, 224) → ExtractPixels → DnnFeaturizeImage</c>: the
/// image is scaled isotropically and centre-cropped to 224 × 224 with Skia's high-quality (Mitchell cubic) sampling
/// (ML.NET's default <c>IsoCrop</c>; transparent areas over black), turned into planar R, G, B values 0–255, passed through
/// <c>ResNetPreprocess.onnx</c> (to B, G, R minus the training set's mean image) and then <c>ResNet18.onnx</c>, whose
/// <c>Pooling395_Output_0</c> is the feature vector.</para>
/// <para><b>Missing images.</b> An item whose path is null or empty, whose file is missing, or whose data cannot be
/// decoded gets the mean of the vectors of the items that were encoded — MMRec's (and LATTICE's) rule for items without
/// image features. Each such item is listed in <see cref="ImageEncodingResult.Failures"/> and logged as a warning; it is
/// never an exception. Only a run where no image at all can be read throws, since there is no mean then.</para>
/// <para>Deterministic: the same image gives the same vector. One instance may be used from one thread at a time. It
/// holds two ONNX Runtime sessions (about 65 MB); dispose it.</para>
/// </remarks>
public sealed class ImageFeatureEncoder : IDisposable
{
    /// <summary>The dimension of every vector: 512.</summary>
    public const int Dimension = 512;

    /// <summary>The side of the square network input: 224 pixels.</summary>
    public const int InputSize = 224;

    private const string PreprocessFile = "ResNetPrepOnnx/ResNetPreprocess.onnx";
    private const string ModelFile = "ResNet18Onnx/ResNet18.onnx";
    private static readonly long[] InputShape = [1, 3, InputSize, InputSize];

    private readonly InferenceSession _preprocess;
    private readonly InferenceSession _model;
    private readonly SessionOptions _sessionOptions;
    private readonly string _preprocessInput, _preprocessOutput, _modelInput, _modelOutput;
    private readonly float[] _pixels = new float[3 * InputSize * InputSize];
    private readonly ILogger _logger;
    private bool _disposed;

    /// <summary>Loads the two ONNX models.</summary>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="logger">Receives a warning per unreadable image and a line per run; null for none.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message lists every problem.</exception>
    /// <exception cref="FileNotFoundException">A model file is not in the model folder.</exception>
    public ImageFeatureEncoder(ImageEncoderOptions? options = null, ILogger? logger = null)
    {
        Options = options ?? new ImageEncoderOptions();
        Options.Validate();
        _logger = logger ?? NullLogger.Instance;
        string folder = Options.ModelDirectory ?? Path.Combine(AppContext.BaseDirectory, Defaults.ImageModelFolder);
        string preprocessPath = Path.Combine(folder, PreprocessFile);
        string modelPath = Path.Combine(folder, ModelFile);
        foreach (string path in new[] { preprocessPath, modelPath })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"The ResNet18 model file '{path}' does not exist. Reference the package Microsoft.ML.DnnImageFeaturizer.ResNet18 " +
                    $"(it copies DnnImageModels/ into the build output) or set {nameof(ImageEncoderOptions)}.{nameof(ImageEncoderOptions.ModelDirectory)} " +
                    "to a folder holding ResNetPrepOnnx/ResNetPreprocess.onnx and ResNet18Onnx/ResNet18.onnx.", path);
            }
        }

        _sessionOptions = new SessionOptions { IntraOpNumThreads = Options.IntraOpThreads };
        _preprocess = new InferenceSession(preprocessPath, _sessionOptions);
        _model = new InferenceSession(modelPath, _sessionOptions);
        _preprocessInput = _preprocess.InputNames[0];
        _preprocessOutput = _preprocess.OutputNames[0];
        _modelInput = _model.InputNames[0];
        _modelOutput = _model.OutputNames[0];
    }

    /// <summary>The options in use.</summary>
    public ImageEncoderOptions Options { get; }

    /// <summary>Encodes one image per item (row <c>i</c> = <paramref name="imagePaths"/>[<c>i</c>]).</summary>
    /// <param name="imagePaths">One image file per item; null or empty for an item without an image.</param>
    /// <param name="progress">Told after every image; null for none.</param>
    /// <param name="cancellationToken">Stops between images.</param>
    /// <returns>The modality and the items that received the mean vector.</returns>
    /// <exception cref="InvalidOperationException">Not one image could be read (the message names the first failures).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public ImageEncodingResult Encode(IReadOnlyList<string?> imagePaths, IProgress<FeatureProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int n = imagePaths.Count;
        var values = new float[(long)n * Dimension];
        var failures = new List<FeatureFailure>();
        var mean = new double[Dimension];
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var row = values.AsSpan((int)((long)i * Dimension), Dimension);
            string? error = TryEncode(imagePaths[i], row);
            if (error is null)
            {
                for (int j = 0; j < Dimension; j++)
                {
                    mean[j] += row[j];
                }
            }
            else
            {
                failures.Add(new FeatureFailure(i, imagePaths[i], error));
                _logger.LogWarning("Image of item {Item} ({Path}): {Reason}; it gets the mean image vector", i, imagePaths[i] ?? "no path", error);
            }

            progress?.Report(new FeatureProgress(i + 1, n));
        }

        int encoded = n - failures.Count;
        if (n > 0 && encoded == 0)
        {
            throw new InvalidOperationException(
                $"None of the {n} images could be read, so there is no mean vector for them (first: item {failures[0].Item}, " +
                $"'{failures[0].Source}': {failures[0].Reason}). Check the image paths.");
        }

        if (failures.Count > 0)
        {
            var meanRow = mean.Select(v => (float)(v / encoded)).ToArray();
            foreach (var f in failures)
            {
                meanRow.CopyTo(values.AsSpan((int)((long)f.Item * Dimension), Dimension));
            }
        }

        _logger.LogInformation("Encoded {Encoded} of {Count} images with ResNet18 in {Seconds:F1} s; {Failed} got the mean vector",
            encoded, n, started.Elapsed.TotalSeconds, failures.Count);
        return new ImageEncodingResult(new ItemModality(Options.ModalityName, n, Dimension, values, takeOwnership: true), failures);
    }

    /// <summary>
    /// Like <see cref="Encode"/>, but reads the result from <paramref name="cachePath"/> (an MMRec-style <c>.npy</c> file)
    /// when it was written for exactly these paths, file sizes and modification times, and otherwise encodes and writes it.
    /// </summary>
    /// <param name="imagePaths">One image file per item.</param>
    /// <param name="cachePath">The <c>.npy</c> file; the fingerprint and the failures are kept in <c>&lt;cachePath&gt;.json</c>.</param>
    /// <param name="progress">Told after every image when encoding; null for none.</param>
    /// <param name="cancellationToken">Stops the run; nothing half-written is left.</param>
    /// <returns>The result, with the failures of the run that wrote the cache.</returns>
    public ImageEncodingResult EncodeCached(IReadOnlyList<string?> imagePaths, string cachePath, IProgress<FeatureProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        ArgumentException.ThrowIfNullOrWhiteSpace(cachePath);
        string key = FeatureCache.Fingerprint("resnet18-onnx|isocrop-224|1", imagePaths.Select(Describe));
        var cached = FeatureCache.TryLoad(cachePath, key, Options.ModalityName, imagePaths.Count, Dimension);
        if (cached is not null)
        {
            _logger.LogInformation("Read {Count} image vectors from the cache {Path}", imagePaths.Count, cachePath);
            return new ImageEncodingResult(cached.Value.Modality, cached.Value.Failures);
        }

        var result = Encode(imagePaths, progress, cancellationToken);
        FeatureCache.Save(cachePath, key, result.Modality, result.Failures);
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _preprocess.Dispose();
            _model.Dispose();
            _sessionOptions.Dispose();
        }
    }

    private static string Describe(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "<none>";
        }

        var info = new FileInfo(path);
        return info.Exists ? $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}" : $"{info.FullName}|missing";
    }

    // Returns null on success, else why the image could not be encoded.
    private string? TryEncode(string? path, Span<float> row)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "no image path";
        }

        if (!File.Exists(path))
        {
            return "file not found";
        }

        SKBitmap? decoded;
        try
        {
            using var stream = File.OpenRead(path);
            decoded = SKBitmap.Decode(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return $"cannot be read ({e.Message})";
        }

        if (decoded is null || decoded.Width <= 0 || decoded.Height <= 0)
        {
            decoded?.Dispose();
            return "not a decodable image";
        }

        using (decoded)
        {
            FillPixels(decoded);
        }

        RunModels(row);
        return null;
    }

    // ML.NET's IsoCrop with the centre anchor (MLImage.ResizeWithCrop): the whole image scaled by the larger of the two
    // ratios to 224 (so it covers the square), placed centred at a whole-pixel offset, drawn with Skia's high-quality
    // (Mitchell cubic) sampling; what falls outside the 224 × 224 target is cut off. Then planar R, G, B.
    private void FillPixels(SKBitmap source)
    {
        float scaleX = (float)InputSize / source.Width;
        float scaleY = (float)InputSize / source.Height;
        float scale = Math.Max(scaleX, scaleY);
        int left = scaleY < scaleX ? 0 : (int)((InputSize - (source.Width * scale)) / 2f);
        int top = scaleY < scaleX ? (int)((InputSize - (source.Height * scale)) / 2f) : 0;
        var to = SKRect.Create(left, top, (int)(source.Width * scale), (int)(source.Height * scale));
        var info = new SKImageInfo(InputSize, InputSize, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var target = new SKBitmap(info);
        using (var canvas = new SKCanvas(target))
        using (var image = SKImage.FromBitmap(source))
        {
            canvas.Clear(SKColors.Black);
            canvas.DrawImage(image, SKRect.Create(0, 0, source.Width, source.Height), to, new SKSamplingOptions(SKCubicResampler.Mitchell));
        }

        ReadOnlySpan<byte> rgba = target.GetPixelSpan();
        const int plane = InputSize * InputSize;
        for (int p = 0; p < plane; p++)
        {
            _pixels[p] = rgba[4 * p];
            _pixels[plane + p] = rgba[(4 * p) + 1];
            _pixels[(2 * plane) + p] = rgba[(4 * p) + 2];
        }
    }

    private void RunModels(Span<float> row)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(_pixels, InputShape);
        using var runOptions = new RunOptions();
        using var prepared = _preprocess.Run(runOptions, [_preprocessInput], [input], [_preprocessOutput]);
        using var features = _model.Run(runOptions, [_modelInput], [prepared[0]], [_modelOutput]);
        features[0].GetTensorDataAsSpan<float>()[..Dimension].CopyTo(row);
    }
}
