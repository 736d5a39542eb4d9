// The default prompts, compiled in from prompts/ so the binary works on its own.
#pragma once

#include <vector>

#include "bot/text/prompts.h"

namespace incident {

std::vector<PromptFile> embedded_prompts();

}  // namespace incident
