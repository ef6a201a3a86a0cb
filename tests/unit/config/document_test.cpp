#include "config/document.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace qarch::config {
namespace {

std::string only_message(const InputError& e) {
  EXPECT_EQ(e.diagnostics().size(), 1u);
  return e.diagnostics().front().to_string();
}

TEST(Document, MissingFileIsNamed) {
  try {
    Document::load("/no/such/arch.yaml");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(only_message(e), "/no/such/arch.yaml: no such file");
  }
}

TEST(Document, DirectoryIsRejected) {
  try {
    Document::load(std::filesystem::temp_directory_path().string());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(only_message(e).find("is a directory"), std::string::npos);
  }
}

// A device or a FIFO would be read forever (or block); it is named and refused before reading,
// through a symbolic link too.
TEST(Document, DevicesAndFifosAreRefused) {
  const std::string fifo = (std::filesystem::temp_directory_path() / ("qarch_fifo_" + std::to_string(::getpid()))).string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string link = fifo + ".yaml";
  std::filesystem::create_symlink("/dev/zero", link);
  for (const std::string& path : {std::string("/dev/zero"), fifo, link}) {
    try {
      Document::load(path);
      ADD_FAILURE() << path << " accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(only_message(e), path + ": is not a regular file (a device, FIFO or socket), expected a YAML file");
    }
  }
  std::filesystem::remove(fifo);
  std::filesystem::remove(link);
  try {
    Document::load("");
    ADD_FAILURE() << "an empty path accepted";
  } catch (const InputError& e) {
    EXPECT_NE(only_message(e).find("no file named"), std::string::npos);
  }
}

TEST(Document, ASecondDocumentIsAnError) {
  try {
    Document::parse("a: 1\n---\nb: 2\n", "two.yaml");
    ADD_FAILURE() << "a second document ignored";
  } catch (const InputError& e) {
    EXPECT_EQ(only_message(e), "two.yaml:3:1: a second YAML document (after '---'); a file holds one");
  }
  EXPECT_NO_THROW(Document::parse("---\na: 1\n", "one.yaml"));  // a start marker is one document
}

TEST(Document, SyntaxErrorGivesLineAndColumn) {
  try {
    Document::parse("name: a\npe_array:\n  rows: [1, 2\n", "a.yaml");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const Diagnostic& d = e.diagnostics().front();
    EXPECT_EQ(d.where.file, "a.yaml");
    EXPECT_GE(d.where.line, 3);
    EXPECT_GT(d.where.column, 0);
    EXPECT_NE(d.message.find("invalid YAML"), std::string::npos);
  }
}

TEST(Document, EmptyAndNonMappingFilesAreRejected) {
  EXPECT_THROW(Document::parse("", "e.yaml"), InputError);
  EXPECT_THROW(Document::parse("# only a comment\n", "e.yaml"), InputError);
  EXPECT_THROW(Document::parse("- a\n- b\n", "e.yaml"), InputError);
}

TEST(Document, ValuesKnowTheirPathAndPosition) {
  const Document doc = Document::parse("name: x\npe_array:\n  rows: 16\n  cols: 8\n", "d.yaml");
  const Value rows = doc.root().get("pe_array").get("rows");
  EXPECT_EQ(rows.path(), "pe_array.rows");
  EXPECT_EQ(rows.scalar(), "16");
  EXPECT_EQ(rows.location().to_string(), "d.yaml:3:9");
  EXPECT_EQ(doc.root().get("pe_array").key_location("cols").to_string(), "d.yaml:4:3");
  EXPECT_TRUE(doc.root().get("nothing").is_null());
}

TEST(Document, SequenceElementsAreIndexed) {
  const Document doc = Document::parse("layers:\n  - {name: a}\n  - {name: b}\n", "n.yaml");
  const Value layers = doc.root().get("layers");
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers.at(1).get("name").path(), "layers[1].name");
  EXPECT_EQ(layers.at(1).get("name").scalar(), "b");
}

TEST(Override, ParsesKeyAndValue) {
  const Override o = Override::parse("pe_array.rows=32");
  EXPECT_EQ(o.path, "pe_array.rows");
  EXPECT_EQ(o.value, "32");
  EXPECT_EQ(o.text, "--set pe_array.rows=32");
  EXPECT_EQ(Override::parse("a.b=x=y").value, "x=y");  // only the first '=' splits
}

TEST(Override, MalformedTextIsAnError) {
  EXPECT_THROW(Override::parse("pe_array.rows"), InputError);
  EXPECT_THROW(Override::parse("=3"), InputError);
  EXPECT_THROW(Override::parse("pe_array..rows=3"), InputError);
  EXPECT_THROW(Override::parse("pe_array.rows="), InputError);
}

TEST(Override, ReplacesAndCreatesKeysAndPointsAtTheCommandLine) {
  Document doc = Document::parse("pe_array:\n  rows: 16\n", "o.yaml");
  doc.apply({Override::parse("pe_array.rows=32"), Override::parse("memory.ideal=true"),
             Override::parse("buffers.weight.size_kib=[1, 2]")});
  const Value root = doc.root();
  EXPECT_EQ(root.get("pe_array").get("rows").scalar(), "32");
  EXPECT_EQ(root.get("pe_array").get("rows").location().to_string(), "--set pe_array.rows=32");
  EXPECT_EQ(root.get("memory").get("ideal").scalar(), "true");
  EXPECT_TRUE(root.get("buffers").get("weight").get("size_kib").is_sequence());
  // Untouched values keep their file position.
  EXPECT_EQ(root.get("pe_array").location().to_string(), "o.yaml:2:3");
}

TEST(Override, IndexesListsAndRejectsPathsThroughScalars) {
  Document doc = Document::parse("name: n\nlayers:\n  - {name: a, kernel: 3}\n", "l.yaml");
  doc.apply({Override::parse("layers.0.kernel=5")});
  EXPECT_EQ(doc.root().get("layers").at(0).get("kernel").scalar(), "5");
  EXPECT_EQ(doc.root().get("layers").at(0).get("kernel").location().to_string(),
            "--set layers.0.kernel=5");
  EXPECT_THROW(doc.apply({Override::parse("name.first=x")}), InputError);
  EXPECT_THROW(doc.apply({Override::parse("layers.7.kernel=5")}), InputError);
}

TEST(Override, LoadedFileWithOverride) {
  const auto path = std::filesystem::temp_directory_path() / "qarch_document_test.yaml";
  { std::ofstream(path) << "pe_array:\n  rows: 4\n"; }
  Document doc = Document::load(path.string());
  EXPECT_EQ(doc.file(), path.string());
  doc.apply({Override::parse("pe_array.rows=8")});
  EXPECT_EQ(doc.root().get("pe_array").get("rows").scalar(), "8");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace qarch::config
