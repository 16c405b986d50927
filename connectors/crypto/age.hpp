// Encryption at rest with age (https://age-encryption.org), through the
// `age` binary as a streaming filter, the way git runs gpg: the archive's
// bytes go through a pipe into `age -e` (download) or come out of `age -d`
// (verify, restore), so memory stays flat and no crypto is written here.
// Decision and reasons: ARCHITECTURE.md, "Backups encrypted with the age binary".
//
// Recipients are public (an X25519 "age1..." string, or a recipients file);
// identities are secret files: mode 0600 like a token file, named by path
// only (the key never on a command line or in a log), read by age itself.
// `$DAOCTL_AGE` names another age binary (default: `age` on PATH).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "connectors/local/resumable_download.hpp"
#include "core/error.hpp"

namespace daoctl::crypto {

// The age arguments for --encrypt-to VALUE: "-r VALUE" for an age1...
// recipient, "-R FILE" for a recipients file. Errors: Usage (neither).
Result<std::vector<std::string>> age_recipient_args(const std::string& value);

// An identity file: it must exist, be a regular file and not be readable by
// group or others. Errors: Config naming the file (mode 0644: chmod 600).
Status check_identity_file(const std::string& path);

// Downloads into `target.path` (which ends in .age) encrypted on the way:
// bytes -> sha256 (of the plaintext) + `age -e` -> PATH.part -> fsync ->
// rename; NAME.sha256 (NAME: the path without .age) gets the plaintext sha256.
// The plaintext never touches the disk. A network error within the run
// resumes the HTTP transfer with Range into the same age stream; a
// PATH.part left by a killed run cannot be continued (age's stream key is
// gone with the process) and is remade from the first byte. Errors as
// local::download_resumable, plus Io when age fails (naming its message).
Result<local::DownloadResult> download_encrypted(const local::ResumableTarget& target,
                                                 const std::vector<std::string>& recipient_args,
                                                 const local::RangeFetch& fetch,
                                                 const local::DownloadObserver& observer = {});

// Runs `age -d -i IDENTITY FILE` and hands its output to `read_plain`, which
// gets a file descriptor to read the plaintext from. When age fails (wrong
// identity, truncated or changed file) the result is a Safety error naming
// `file` and age's own message, whatever read_plain returned.
Status with_decrypted(const std::string& file, const std::string& identity,
                      const std::function<Status(int fd)>& read_plain);

// Decrypts `file` into an anonymous temporary file (O_TMPFILE in $TMPDIR,
// 0600, gone when closed). Returns its descriptor. Errors as with_decrypted.
Result<int> decrypt_to_anonymous_file(const std::string& file, const std::string& identity);

}  // namespace daoctl::crypto
