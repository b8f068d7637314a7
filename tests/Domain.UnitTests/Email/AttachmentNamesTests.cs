using Integrations.Domain.Email;
using Shouldly;

namespace Integrations.Domain.UnitTests.Email;

public class AttachmentNamesTests
{
    [Theory]
    [InlineData("invoice.pdf", "invoice.pdf")]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\ada\\report.docx", "report.docx")]
    [InlineData("evil\".pdf\r\nX-Header: 1", "evil_.pdf__X-Header_ 1")]
    [InlineData(".htaccess", "htaccess")]
    [InlineData("", "attachment")]
    [InlineData(null, "attachment")]
    [InlineData("dir/", "attachment")]
    [InlineData("Überweisung €.pdf", "Überweisung €.pdf")]
    public void Names_are_made_harmless(string? name, string expected) => AttachmentNames.Safe(name).ShouldBe(expected);

    [Fact]
    public void A_long_name_is_cut_keeping_its_extension()
    {
        var safe = AttachmentNames.Safe(new string('a', 300) + ".pdf");
        safe.Length.ShouldBe(AttachmentNames.MaxLength);
        safe.ShouldEndWith(".pdf");
    }
}
