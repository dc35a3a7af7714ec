#pragma once

// The bytes of a CSV file as fccp's LineReader reads them: hashed (the SHA-256
// of the file as given), scanned for NUL bytes, and converted to UTF-8 from
// the encoding the operator named (--encoding), through the C library's iconv.
// Only csv_input.cc uses it (it owns the CSV parser).

#include <iconv.h>
#include <libfccp/csv.h>
#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <vector>

namespace roster {

// Feeds fccp's LineReader from a file descriptor, hashing every byte and noting
// the first NUL byte (and the line it is on), which no text file contains.
class HashingSource : public io::ByteSourceBase {
 public:
  HashingSource(int fd, bool owned);
  ~HashingSource() override;
  // From now on, converts what it reads from `encoding` (iconv's name:
  // WINDOWS-1252, ISO-8859-1) to UTF-8. A byte the encoding does not define
  // is passed on as it is, so that the row it is on is rejected as not UTF-8
  // (TEXT_INVALID) with its line. False when iconv does not know the name.
  bool convert_from(const char* encoding);

  int read(char* buffer, int size) override;

  uint64_t bytes() const { return bytes_; }
  bool saw_nul() const { return nul_line_ != 0; }
  uint64_t nul_line() const { return nul_line_; }
  int read_errno() const { return read_errno_; }
  std::string hex_digest() const;

 private:
  // Up to `size` bytes of the file as it is, hashed and scanned.
  int read_raw(char* buffer, int size);
  void scan(const char* data, size_t n);

  int fd_;
  bool owned_;
  EVP_MD_CTX* md_;
  iconv_t iconv_ = reinterpret_cast<iconv_t>(-1);  // none: the file is UTF-8
  std::vector<char> raw_;                          // read, for conversion
  uint64_t bytes_ = 0;
  uint64_t newlines_ = 0;
  uint64_t nul_line_ = 0;
  int read_errno_ = 0;
};

// fccp's LineReader drops its byte source as soon as a small file is read whole;
// the hashing source must outlive it, so fccp gets this forwarding proxy.
class SourceProxy : public io::ByteSourceBase {
 public:
  explicit SourceProxy(HashingSource& source) : source_(source) {}
  int read(char* buffer, int size) override { return source_.read(buffer, size); }

 private:
  HashingSource& source_;
};

}  // namespace roster
