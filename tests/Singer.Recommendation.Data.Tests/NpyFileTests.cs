using System.Buffers.Binary;
using Singer.Recommendation.Data.Tests.Helpers;

namespace Singer.Recommendation.Data.Tests;

/// <summary>The <c>.npy</c> reader against files written byte by byte from the NumPy format description.</summary>
public sealed class NpyFileTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly float[] Values2x3 = [1f, -2.5f, 3.25f, 0f, 1e-30f, 6e30f];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Reads_float32_in_format_versions_1_2_and_3(byte major)
    {
        string path = _dir.WriteBytes($"v{major}.npy", NpyBytes.Float32(2, 3, Values2x3, major));

        var (rows, cols, values) = NpyFile.ReadMatrix(path);

        rows.Should().Be(2);
        cols.Should().Be(3);
        values.Should().Equal(Values2x3);
    }

    [Fact]
    public void Reads_float64_and_converts_to_float32()
    {
        double[] doubles = [0.1, -1.0 / 3, 1e300 / 1e290, 123456789.123, 0, -0.0];
        string path = _dir.WriteBytes("f8.npy", NpyBytes.Float64(3, 2, doubles, major: 2));

        var (rows, cols, values) = NpyFile.ReadMatrix(path);

        rows.Should().Be(3);
        cols.Should().Be(2);
        values.Should().Equal(doubles.Select(d => (float)d));
    }

    [Fact]
    public void Reads_a_header_without_the_64_byte_padding_and_with_reordered_keys()
    {
        // NumPy before 1.x padded to 16 bytes; any well-formed dictionary is acceptable.
        string dict = "{'shape': (1, 2), 'fortran_order': False, 'descr': '<f4'}";
        byte[] data = new byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(data, 7f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), 8f);
        string path = _dir.WriteBytes("odd.npy", [.. NpyBytes.Header(dict, pad: false), .. data]);

        NpyFile.ReadMatrix(path).Values.Should().Equal(7f, 8f);
    }

    [Fact]
    public void Reads_an_empty_matrix_with_zero_rows()
    {
        string path = _dir.WriteBytes("empty.npy", NpyBytes.Float32(0, 4, []));

        var (rows, cols, values) = NpyFile.ReadMatrix(path);

        (rows, cols, values.Length).Should().Be((0, 4, 0));
    }

    [Fact]
    public void Writer_produces_the_bytes_NumPy_writes_and_round_trips()
    {
        string path = _dir.File("out.npy");

        NpyFile.Write(path, 2, 3, Values2x3);

        byte[] bytes = File.ReadAllBytes(path);
        bytes.Should().Equal(NpyBytes.Float32(2, 3, Values2x3), "version 1.0, '<f4', C order, header padded to 64 bytes");
        (bytes.Length - (2 * 3 * 4)).Should().Be(128);
        NpyFile.ReadMatrix(path).Values.Should().Equal(Values2x3);
        Directory.GetFiles(_dir.Path).Should().ContainSingle("the temporary file is renamed into place");
    }

    [Fact]
    public void Modality_round_trips_through_a_file_and_a_stream()
    {
        var random = new Random(5);
        var data = Enumerable.Range(0, 17 * 9).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var modality = new ItemModality("image", 17, 9, data);
        string path = _dir.File("image_feat.npy");

        NpyFile.Write(path, modality);
        var back = NpyFile.ReadModality(path, "image");

        back.Name.Should().Be("image");
        (back.ItemCount, back.Dimension).Should().Be((17, 9));
        back.Values.ToArray().Should().Equal(data);

        using var stream = new MemoryStream();
        NpyFile.Write(stream, 17, 9, data);
        stream.Position = 0;
        NpyFile.ReadMatrix(stream, "memory").Values.Should().Equal(data);
    }

    [Fact]
    public void Reads_from_a_non_seekable_stream_and_detects_trailing_bytes_there()
    {
        byte[] good = NpyBytes.Float32(2, 3, Values2x3);
        NpyFile.ReadMatrix(new ForwardOnlyStream(good), "pipe").Values.Should().Equal(Values2x3);

        var act = () => NpyFile.ReadMatrix(new ForwardOnlyStream([.. good, 0]), "pipe");
        act.Should().Throw<NpyFormatException>().WithMessage("pipe: *bytes after the declared data*");

        var truncated = () => NpyFile.ReadMatrix(new ForwardOnlyStream(good[..^5]), "pipe");
        truncated.Should().Throw<NpyFormatException>().WithMessage("pipe: row 1: the file ends inside this row*")
            .Which.Row.Should().Be(1);
    }

    [Fact]
    public void Overwriting_replaces_the_file_atomically_and_leaves_no_temporary_file()
    {
        string path = _dir.File("x.npy");
        NpyFile.Write(path, 1, 1, [1f]);
        NpyFile.Write(path, 1, 2, [2f, 3f]);

        NpyFile.ReadMatrix(path).Values.Should().Equal(2f, 3f);
        Directory.GetFiles(_dir.Path).Should().Equal(path);
    }

    [Fact]
    public void Writer_rejects_values_that_do_not_form_the_matrix()
    {
        var act = () => NpyFile.Write(_dir.File("bad.npy"), 2, 2, [1f, 2f, 3f]);

        act.Should().Throw<ArgumentException>().WithMessage("*3 values do not form a 2 × 2 matrix*");
        File.Exists(_dir.File("bad.npy")).Should().BeFalse();
        Directory.GetFiles(_dir.Path).Should().BeEmpty("nothing half-written is left behind");
    }

    /// <summary>A stream that cannot seek or report its length (a pipe).</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
