#include "import/byte_source.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace roster {

namespace {
const iconv_t kNoIconv = reinterpret_cast<iconv_t>(-1);
}  // namespace

HashingSource::HashingSource(int fd, bool owned) : fd_(fd), owned_(owned), md_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(md_, EVP_sha256(), nullptr);
}

HashingSource::~HashingSource() {
  if (owned_) ::close(fd_);
  EVP_MD_CTX_free(md_);
  if (iconv_ != kNoIconv) iconv_close(iconv_);
}

bool HashingSource::convert_from(const char* encoding) {
  iconv_ = iconv_open("UTF-8", encoding);
  return iconv_ != kNoIconv;
}

int HashingSource::read(char* buffer, int size) {
  if (iconv_ == kNoIconv) return read_raw(buffer, size);
  // A single-byte encoding's character is at most 3 bytes of UTF-8 (the euro
  // sign): a third of the room, read as it is, always fits once converted.
  raw_.resize(static_cast<size_t>(size / 3 > 0 ? size / 3 : 1));
  int n = read_raw(raw_.data(), static_cast<int>(raw_.size()));
  char* in = raw_.data();
  size_t in_left = static_cast<size_t>(n);
  char* out = buffer;
  size_t out_left = static_cast<size_t>(size);
  while (in_left > 0 && out_left > 0) {
    if (iconv(iconv_, &in, &in_left, &out, &out_left) != static_cast<size_t>(-1)) break;
    if (errno != EILSEQ && errno != EINVAL) break;  // E2BIG cannot happen, see above
    *out++ = *in++;  // undefined in the encoding: passed on, and rejected as not UTF-8
    --in_left;
    --out_left;
  }
  return static_cast<int>(out - buffer);
}

int HashingSource::read_raw(char* buffer, int size) {
  int total = 0;
  while (total < size) {
    ssize_t n = ::read(fd_, buffer + total, static_cast<size_t>(size - total));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      read_errno_ = errno;
      break;
    }
    if (n == 0) break;
    scan(buffer + total, static_cast<size_t>(n));
    total += static_cast<int>(n);
  }
  return total;
}

std::string HashingSource::hex_digest() const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  EVP_MD_CTX_copy_ex(copy, md_);
  EVP_DigestFinal_ex(copy, digest, &len);
  EVP_MD_CTX_free(copy);
  std::string out;
  for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

void HashingSource::scan(const char* data, size_t n) {
  EVP_DigestUpdate(md_, data, n);
  if (nul_line_ == 0) {
    const char* nul = static_cast<const char*>(std::memchr(data, '\0', n));
    const char* stop = nul ? nul : data + n;
    for (const char* p = data; p < stop; ++p) newlines_ += (*p == '\n');
    if (nul) nul_line_ = newlines_ + 1;
  }
  bytes_ += n;
}

}  // namespace roster
