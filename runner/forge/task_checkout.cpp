#include "runner/forge/task_checkout.hpp"

#include "actions/libgit/libgit.hpp"

namespace pipeline::runner::forge {

namespace libgit = actions::libgit;

namespace {

std::string text_of(const nlohmann::json& context, const char* key) {
  const auto it = context.find(key);
  return it != context.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Gitea and Forgejo take the task token as the password of any user name.
int token_credentials(git_credential** out, const char*, const char*, unsigned int allowed, void* payload) {
  const auto* token = static_cast<const std::string*>(payload);
  if (token->empty() || (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) == 0) {
    return GIT_PASSTHROUGH;
  }
  return git_credential_userpass_plaintext_new(out, "x-access-token", token->c_str());
}

}  // namespace

Result<std::string> clone_task_repository(const nlohmann::json& context, const std::filesystem::path& workspace,
                                          const std::string& token) {
  std::string server = text_of(context, "server_url");
  const std::string repository = text_of(context, "repository");
  if (server.empty() || repository.empty()) {
    return Error{"the task names no server_url and repository to fetch"};
  }
  while (!server.empty() && server.back() == '/') {
    server.pop_back();
  }
  const std::string url = server + "/" + repository + ".git";
  libgit::initialise();
  git_clone_options options = GIT_CLONE_OPTIONS_INIT;
  options.fetch_opts.callbacks.credentials = token_credentials;
  options.fetch_opts.callbacks.payload = const_cast<std::string*>(&token);
  git_repository* raw = nullptr;
  if (git_clone(&raw, url.c_str(), workspace.c_str(), &options) != 0) {
    return libgit::failure("cannot fetch " + url);
  }
  libgit::Repository repo(raw);
  const std::string sha = text_of(context, "sha");
  if (sha.empty()) {
    return std::string("the default branch");
  }
  git_oid oid;
  git_object* commit = nullptr;
  if (git_oid_fromstr(&oid, sha.c_str()) != 0 || git_object_lookup(&commit, repo.get(), &oid, GIT_OBJECT_COMMIT) != 0) {
    return libgit::failure(url + " has no commit " + sha);
  }
  libgit::Object owned(commit);
  git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
  checkout.checkout_strategy = GIT_CHECKOUT_FORCE;
  if (git_checkout_tree(repo.get(), owned.get(), &checkout) != 0 ||
      git_repository_set_head_detached(repo.get(), &oid) != 0) {
    return libgit::failure("cannot check out " + sha);
  }
  return sha;
}

}  // namespace pipeline::runner::forge
