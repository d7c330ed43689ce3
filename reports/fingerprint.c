/* fingerprint.c - SHA-256 of input files (OpenSSL EVP). See fingerprint.h. */
#include "fingerprint.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

enum { CHUNK = 1 << 16 };

long long dcs_regular_file_size(const char *path)
{
    struct stat sb;
    if (!path || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return -1;
    return (long long)sb.st_size;
}

/* Feed the whole stream to the digest; 0 on success, else errno. */
static int digest_stream(FILE *fp, EVP_MD_CTX *ctx, int *evp_failed)
{
    unsigned char buf[CHUNK];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        if (EVP_DigestUpdate(ctx, buf, n) != 1) {
            *evp_failed = 1;
            return 0;
        }
    return ferror(fp) ? (errno ? errno : EIO) : 0;
}

dcs_status dcs_file_sha256(const char *path, char hex[DCS_SHA256_HEX_SIZE], dcs_error *err)
{
    hex[0] = '\0';
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return dcs_error_set(err, DCS_ERR_DATA, "cannot open '%s' to fingerprint it: %s", path,
                             strerror(errno));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) {
        fclose(fp);
        return dcs_error_set(err, DCS_ERR_NOMEM, "out of memory fingerprinting '%s'", path);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int evp_failed = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1;
    errno = 0;
    int read_errno = evp_failed ? 0 : digest_stream(fp, ctx, &evp_failed);
    if (!evp_failed && !read_errno)
        evp_failed = EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32;
    EVP_MD_CTX_free(ctx);
    fclose(fp);
    if (read_errno)
        return dcs_error_set(err, DCS_ERR_DATA, "cannot read '%s' to fingerprint it: %s", path,
                             strerror(read_errno));
    if (evp_failed)
        return dcs_error_set(err, DCS_ERR_INTERNAL, "SHA-256 of '%s' failed (OpenSSL)", path);
    static const char digits[] = "0123456789abcdef";
    for (unsigned int i = 0; i < mdlen; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * mdlen] = '\0';
    return DCS_OK;
}
