using System.Text;
using System.Text.Json;

namespace Octavios.Deploy.Records;

/// <summary>A JSON object written field by field: the serializer's reflection costs ~15 ms at the first record of every run.</summary>
public static class JsonText
{
    public static string Object(Action<Utf8JsonWriter> fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            fields(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
